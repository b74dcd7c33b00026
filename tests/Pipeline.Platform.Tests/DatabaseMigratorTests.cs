using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Platform.Persistence;

namespace Pipeline.Platform.Tests;

public sealed class DatabaseMigratorTests
{
    [Fact]
    public async Task Two_hosts_in_one_process_migrate_the_same_context_type_one_after_the_other()
    {
        var factory = new HeldFactory();
        var first = new DatabaseMigrator<ProbeContext>(factory, NullLogger<DatabaseMigrator<ProbeContext>>.Instance);
        var second = new DatabaseMigrator<ProbeContext>(factory, NullLogger<DatabaseMigrator<ProbeContext>>.Instance);

        var firstStart = first.StartAsync(CancellationToken.None);
        await factory.Entered.Task;

        // Without a turn, the second start would reach the factory synchronously, before its first await.
        var secondStart = second.StartAsync(CancellationToken.None);
        Assert.Equal(1, factory.Calls);

        factory.Release.SetResult();
        await Assert.ThrowsAsync<InvalidOperationException>(() => firstStart);
        await Assert.ThrowsAsync<InvalidOperationException>(() => secondStart);
        Assert.Equal(2, factory.Calls);
    }

    /// <summary>A context type no other test migrates, so the turn it waits for is this test's alone.</summary>
    private sealed class ProbeContext(DbContextOptions<ProbeContext> options) : DbContext(options);

    /// <summary>Holds the first caller until released; every caller then fails, which ends that start.</summary>
    private sealed class HeldFactory : IDbContextFactory<ProbeContext>
    {
        private int _calls;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        public ProbeContext CreateDbContext() => throw new NotSupportedException();

        public async Task<ProbeContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            Entered.TrySetResult();
            await Release.Task;
            throw new InvalidOperationException("no database in this test");
        }
    }
}
