using Microsoft.EntityFrameworkCore;
using Pipeline.Platform.Persistence;

namespace Pipeline.Platform.Scheduling;

/// <summary>Holds the durable scheduler's due messages; one derived type per provider, each with its migrations.</summary>
public abstract class SchedulerDbContext(DbContextOptions options) : PipelineDbContext(options)
{
    public DbSet<ScheduledMessageRecord> ScheduledMessages => Set<ScheduledMessageRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var entity = modelBuilder.Entity<ScheduledMessageRecord>();
        entity.ToTable("scheduled_messages");
        entity.HasKey(x => x.TokenId);
        entity.Property(x => x.Destination).HasMaxLength(1024);
        entity.Property(x => x.MessageType).HasMaxLength(1024);
        entity.Property(x => x.LastError).HasMaxLength(2048);
        entity.HasIndex(x => x.DueAtUtc);
    }
}

public sealed class PostgresSchedulerDbContext(DbContextOptions<PostgresSchedulerDbContext> options) : SchedulerDbContext(options);

public sealed class SqliteSchedulerDbContext(DbContextOptions<SqliteSchedulerDbContext> options) : SchedulerDbContext(options);
