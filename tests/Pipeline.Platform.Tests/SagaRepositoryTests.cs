using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Platform.Persistence;
using Pipeline.Testing.Sagas;

namespace Pipeline.Platform.Tests;

/// <summary>
/// The EF Core saga repository in embedded mode (SQLite, in-memory transport). Concurrent delivery is tested on
/// PostgreSQL with competing hosts (SagaRepositoryPostgresTests): here the in-memory endpoint never interleaved two
/// events of one instance, so such a test passed even with the concurrency check removed. The row-version check
/// itself is tested directly below.
/// </summary>
public sealed class SagaRepositoryTests : IDisposable
{
    private readonly EmbeddedSettings _embedded = new();

    [Fact]
    public async Task An_instance_survives_a_restart_of_the_process_hosting_it()
    {
        var id = NewId.NextGuid();
        await using (var first = await CounterHost.StartAsync(_embedded.Settings))
        {
            await first.Bus.Publish(new StartCounter { CounterId = id });
            await first.WaitFor(id, s => s is not null);
            await first.Bus.Publish(new IncrementCounter { CounterId = id, Sequence = 0 });
            await first.WaitFor(id, s => s?.Count == 1);
        }

        await using var second = await CounterHost.StartAsync(_embedded.Settings);
        Assert.Equal(1, (await second.Load(id))!.Count);
        await second.Bus.Publish(new IncrementCounter { CounterId = id, Sequence = 1 });
        var saga = await second.WaitFor(id, s => s?.Count == 2);
        Assert.Equal(0b11, saga!.SeenMask);
    }

    [Theory]
    [InlineData(FinalizedSagaPolicy.Delete)]
    [InlineData(FinalizedSagaPolicy.Archive)]
    public async Task A_finalized_instance_is_deleted_or_archived_as_configured(FinalizedSagaPolicy policy)
    {
        await using var host = await CounterHost.StartAsync(_embedded.Settings, policy);
        var id = NewId.NextGuid();
        await host.Bus.Publish(new StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);
        await host.Bus.Publish(new FinishCounter { CounterId = id });

        if (policy == FinalizedSagaPolicy.Delete)
        {
            await host.WaitFor(id, s => s is null);
        }
        else
        {
            var archived = await host.WaitFor(id, s => s?.CurrentState == "Final");
            Assert.NotNull(archived);
        }
    }

    [Fact]
    public async Task Instances_can_be_queried_by_expression()
    {
        await using var host = await CounterHost.StartAsync(_embedded.Settings);
        var ids = Enumerable.Range(0, 3).Select(_ => NewId.NextGuid()).ToArray();
        foreach (var id in ids)
        {
            await host.Bus.Publish(new StartCounter { CounterId = id });
        }

        await host.Bus.Publish(new IncrementCounter { CounterId = ids[1], Sequence = 5 });
        await host.WaitFor(ids[1], s => s?.Count == 1);
        await host.WaitFor(ids[2], s => s is not null);

        var query = host.Services.GetRequiredService<IQuerySagaRepository<CounterSaga>>();
        var found = await query.Find(new MassTransit.Saga.SagaQuery<CounterSaga>(s => s.Count > 0));
        Assert.Equal([ids[1]], found);
    }

    [Fact]
    public async Task A_stale_update_is_refused_by_the_row_version()
    {
        await using var host = await CounterHost.StartAsync(_embedded.Settings);
        var id = NewId.NextGuid();
        await host.Bus.Publish(new StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);

        var factory = host.Services.GetRequiredService<IDbContextFactory<CounterDbContext>>();
        await using var a = await factory.CreateDbContextAsync();
        await using var b = await factory.CreateDbContextAsync();
        var sa = await a.Set<CounterSaga>().SingleAsync(x => x.CorrelationId == id);
        var sb = await b.Set<CounterSaga>().SingleAsync(x => x.CorrelationId == id);
        sa.Count = 10;
        await a.SaveChangesAsync();
        sb.Count = 20;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => b.SaveChangesAsync());
        Assert.Equal(10, (await host.Load(id))!.Count);
    }

    public void Dispose() => _embedded.Dispose();
}
