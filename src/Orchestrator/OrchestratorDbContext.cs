using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Persistence;

namespace Pipeline.Orchestrator;

/// <summary>Job state; one derived type per provider, each with its own migrations.</summary>
public abstract class OrchestratorDbContext(DbContextOptions options) : PipelineDbContext(options)
{
    public DbSet<TrainingJobState> Jobs => Set<TrainingJobState>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => TrainingJobMap.Configure(modelBuilder, Database);
}

public sealed class PostgresOrchestratorDbContext(DbContextOptions<PostgresOrchestratorDbContext> options) : OrchestratorDbContext(options);

public sealed class SqliteOrchestratorDbContext(DbContextOptions<SqliteOrchestratorDbContext> options) : OrchestratorDbContext(options);

internal sealed class PostgresOrchestratorDesignFactory : IDesignTimeDbContextFactory<PostgresOrchestratorDbContext>
{
    public PostgresOrchestratorDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOrchestratorDbContext>().UseNpgsql("Host=design-time", o => o.MigrationsHistoryTable(Pipeline.Platform.Persistence.DatabaseRegistration.HistoryTable<OrchestratorDbContext>())).Options);
}

internal sealed class SqliteOrchestratorDesignFactory : IDesignTimeDbContextFactory<SqliteOrchestratorDbContext>
{
    public SqliteOrchestratorDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOrchestratorDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
