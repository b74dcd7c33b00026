using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// Locks one saga row for the rest of the current transaction (PostgreSQL <c>SELECT ... FOR UPDATE</c>).
/// Many events for one instance at once (K workers reporting the same round) would otherwise race on the row
/// version: one writer wins per round of attempts, and under load the losers can run out of retries. With the
/// lock they queue in the database and each applies its event to the state the previous one committed.
/// </summary>
internal sealed class SagaRowLock
{
    private readonly string _sql;

    private SagaRowLock(string sql) => _sql = sql;

    /// <summary>The lock for <typeparamref name="TSaga"/> in this context, or null where the provider has none (SQLite).</summary>
    public static SagaRowLock? For<TSaga>(DbContext db)
        where TSaga : class, IVersionedSaga
    {
        if (!db.Database.IsNpgsql())
        {
            return null;
        }

        var entity = db.Model.FindEntityType(typeof(TSaga))
            ?? throw new InvalidOperationException($"{typeof(TSaga).Name} is not mapped in {db.GetType().Name}.");
        var table = entity.GetTableName()!;
        var schema = entity.GetSchema();
        var column = entity.FindProperty(nameof(IVersionedSaga.CorrelationId))!.GetColumnName(StoreObjectIdentifier.Table(table, schema))!;
        var qualified = schema is null ? Quote(table) : $"{Quote(schema)}.{Quote(table)}";
        return new SagaRowLock($"SELECT 1 FROM {qualified} WHERE {Quote(column)} = {{0}} FOR UPDATE");
    }

    public Task AcquireAsync(DbContext db, Guid correlationId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(_sql, [correlationId], cancellationToken);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
