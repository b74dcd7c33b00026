using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Platform.Persistence;

namespace Pipeline.Ingest.Registry;

/// <summary>The dataset registry and the object-version table; one derived context per provider, each with its migrations.</summary>
public abstract class IngestDbContext(DbContextOptions options) : PipelineDbContext(options)
{
    public DbSet<ObjectVersionRecord> ObjectVersions => Set<ObjectVersionRecord>();

    public DbSet<DatasetRecord> Datasets => Set<DatasetRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var versions = modelBuilder.Entity<ObjectVersionRecord>();
        versions.ToTable("ingest_object_versions");
        versions.HasKey(x => new { x.Bucket, x.Key, x.ETag, x.SpecHash });
        versions.Property(x => x.SpecHash).HasMaxLength(64);
        versions.Property(x => x.Bucket).HasMaxLength(63);
        versions.Property(x => x.Key).HasMaxLength(1024);
        versions.Property(x => x.ETag).HasMaxLength(128);
        versions.Property(x => x.Trigger).HasMaxLength(16);
        versions.Property(x => x.RejectedKey).HasMaxLength(1024);
        versions.HasIndex(x => x.JobId).IsUnique();

        var datasets = modelBuilder.Entity<DatasetRecord>();
        datasets.ToTable("ingest_datasets");
        datasets.HasKey(x => x.DatasetId);
        datasets.Property(x => x.DatasetId).HasMaxLength(32);
        datasets.Property(x => x.Sha256).HasMaxLength(64);
        datasets.Property(x => x.Bucket).HasMaxLength(63);
        datasets.Property(x => x.Key).HasMaxLength(1024);
        datasets.Property(x => x.SourceBucket).HasMaxLength(63);
        datasets.Property(x => x.SourceKey).HasMaxLength(1024);
        datasets.Property(x => x.SourceETag).HasMaxLength(128);
        datasets.HasIndex(x => x.Sha256).IsUnique();
    }
}

public sealed class PostgresIngestDbContext(DbContextOptions<PostgresIngestDbContext> options) : IngestDbContext(options);

public sealed class SqliteIngestDbContext(DbContextOptions<SqliteIngestDbContext> options) : IngestDbContext(options);

// Used only by `dotnet ef migrations add`; the connection strings are placeholders (nothing connects).
internal sealed class PostgresIngestDesignFactory : IDesignTimeDbContextFactory<PostgresIngestDbContext>
{
    public PostgresIngestDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresIngestDbContext>().UseNpgsql("Host=design-time", o => o.MigrationsHistoryTable(Pipeline.Platform.Persistence.DatabaseRegistration.HistoryTable<IngestDbContext>())).Options);
}

internal sealed class SqliteIngestDesignFactory : IDesignTimeDbContextFactory<SqliteIngestDbContext>
{
    public SqliteIngestDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteIngestDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
