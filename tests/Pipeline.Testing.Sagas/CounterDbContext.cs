using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Platform.Persistence;

namespace Pipeline.Testing.Sagas;

public abstract class CounterDbContext(DbContextOptions options) : PipelineDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var saga = modelBuilder.Entity<CounterSaga>().MapSaga(Database, "counter_saga");
        saga.Property(x => x.CurrentState).HasMaxLength(64);
    }
}

public sealed class PostgresCounterDbContext(DbContextOptions<PostgresCounterDbContext> options) : CounterDbContext(options);

public sealed class SqliteCounterDbContext(DbContextOptions<SqliteCounterDbContext> options) : CounterDbContext(options);

internal sealed class PostgresCounterDesignFactory : IDesignTimeDbContextFactory<PostgresCounterDbContext>
{
    public PostgresCounterDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCounterDbContext>().UseNpgsql("Host=design-time").Options);
}

internal sealed class SqliteCounterDesignFactory : IDesignTimeDbContextFactory<SqliteCounterDbContext>
{
    public SqliteCounterDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCounterDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
