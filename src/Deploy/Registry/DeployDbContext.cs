using Pipeline.Tabular.Naming;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Platform.Persistence;

namespace Pipeline.Deploy.Registry;

/// <summary>The model registry; one derived type per provider, each with its own migrations.</summary>
public abstract class DeployDbContext(DbContextOptions options) : PipelineDbContext(options)
{
    public DbSet<ModelVersionRecord> Versions => Set<ModelVersionRecord>();

    public DbSet<ProductionPeriodRecord> ProductionPeriods => Set<ProductionPeriodRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var version = modelBuilder.Entity<ModelVersionRecord>();
        version.ToTable("model_versions");
        version.HasKey(x => new { x.Name, x.Version });
        version.Property(x => x.Name).HasMaxLength(ModelNames.MaxLength);
        // Stage is the concurrency token: a stage change written from a stale read (two rollbacks at once) updates
        // no row, fails, and is run again from a fresh read.
        version.Property(x => x.Stage).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        version.Property(x => x.Task).HasMaxLength(32);
        version.Property(x => x.GateMetric).HasMaxLength(32);
        version.Property(x => x.ArtifactBucket).HasMaxLength(63);
        version.Property(x => x.ArtifactPrefix).HasMaxLength(512);
        version.HasIndex(x => new { x.Name, x.JobId }).IsUnique();

        // The database itself guarantees one production version per name: two deployments racing for the same name
        // cannot both win; the loser's transaction fails and its retry sees the winner.
        version.HasIndex(x => x.Name).IsUnique().HasFilter("\"Stage\" = 'Production'").HasDatabaseName("ix_model_versions_one_production");

        var period = modelBuilder.Entity<ProductionPeriodRecord>();
        period.ToTable("production_periods");
        period.HasKey(x => x.Id);
        period.Property(x => x.Name).HasMaxLength(ModelNames.MaxLength);
        period.Property(x => x.Reason).HasMaxLength(1024);
        period.HasIndex(x => new { x.Name, x.Id });
    }
}

public sealed class PostgresDeployDbContext(DbContextOptions<PostgresDeployDbContext> options) : DeployDbContext(options);

public sealed class SqliteDeployDbContext(DbContextOptions<SqliteDeployDbContext> options) : DeployDbContext(options);

// Used only by `dotnet ef migrations add`; generating a migration does not connect.
internal sealed class PostgresDeployDesignFactory : IDesignTimeDbContextFactory<PostgresDeployDbContext>
{
    public PostgresDeployDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDeployDbContext>().UseNpgsql("Host=design-time", o => o.MigrationsHistoryTable(Pipeline.Platform.Persistence.DatabaseRegistration.HistoryTable<DeployDbContext>())).Options);
}

internal sealed class SqliteDeployDesignFactory : IDesignTimeDbContextFactory<SqliteDeployDbContext>
{
    public SqliteDeployDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDeployDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
