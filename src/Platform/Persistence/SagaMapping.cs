using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Pipeline.Platform.Persistence;

/// <summary>The part of every saga's EF map that the repository relies on: key and row version.</summary>
public static class SagaMapping
{
    public static EntityTypeBuilder<TSaga> MapSaga<TSaga>(this EntityTypeBuilder<TSaga> entity, DatabaseFacade database, string table)
        where TSaga : class, IVersionedSaga
    {
        entity.ToTable(table);
        entity.HasKey(x => x.CorrelationId);
        entity.Property(x => x.CorrelationId).ValueGeneratedNever();

        if (database.IsNpgsql())
        {
            // uint + IsRowVersion is mapped by Npgsql to the xmin system column (not created by migrations).
            entity.Property(x => x.RowVersion).IsRowVersion();
        }
        else
        {
            entity.Property(x => x.RowVersion).IsConcurrencyToken();
        }

        return entity;
    }
}
