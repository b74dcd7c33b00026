using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Pipeline.Platform.Persistence;

namespace Pipeline.Platform.Security;

/// <summary>
/// Holds the API keys (hashed) and the data-protection keys that sign dashboard session cookies and antiforgery
/// tokens (shared by every instance, so a session opened on one orchestrator is valid on the others); one derived
/// type per provider, each with its migrations.
/// </summary>
public abstract class SecurityDbContext(DbContextOptions options) : PipelineDbContext(options), IDataProtectionKeyContext
{
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var entity = modelBuilder.Entity<ApiKeyRecord>();
        entity.ToTable("api_keys");
        entity.HasKey(x => x.Id);
        entity.Property(x => x.Name).HasMaxLength(ApiKeyNames.MaxLength);
        entity.HasIndex(x => x.Name).IsUnique();
        entity.Property(x => x.Role).HasMaxLength(32);
        entity.Property(x => x.SecretHash).HasMaxLength(32);
        entity.Property(x => x.CreatedBy).HasMaxLength(ApiKeyNames.MaxLength);
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
    }
}

public sealed class PostgresSecurityDbContext(DbContextOptions<PostgresSecurityDbContext> options) : SecurityDbContext(options);

public sealed class SqliteSecurityDbContext(DbContextOptions<SqliteSecurityDbContext> options) : SecurityDbContext(options);
