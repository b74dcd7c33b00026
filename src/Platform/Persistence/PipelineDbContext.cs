using Microsoft.EntityFrameworkCore;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// Base of every Pipeline DbContext. Provider differences the rest of the code should not see live here:
/// on SQLite, which has no <c>xmin</c>, the row version of a modified saga is incremented before saving so the
/// optimistic concurrency check means the same thing on both providers.
/// </summary>
public abstract class PipelineDbContext(DbContextOptions options) : DbContext(options)
{
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BumpRowVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BumpRowVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void BumpRowVersions()
    {
        if (Database.IsNpgsql())
        {
            return;
        }

        foreach (var entry in ChangeTracker.Entries<IVersionedSaga>())
        {
            if (entry.State == EntityState.Modified)
            {
                entry.Entity.RowVersion = unchecked(entry.Entity.RowVersion + 1);
            }
        }
    }
}
