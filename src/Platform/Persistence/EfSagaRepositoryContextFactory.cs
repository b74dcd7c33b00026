using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// MassTransit saga repository on EF Core (MassTransit.EntityFrameworkCore is not available to us). One fresh
/// DbContext per message; the instance is loaded with tracking, the state machine runs, and the update carries
/// the row version it read, so a concurrent writer makes it fail with <see cref="DbUpdateConcurrencyException"/>.
/// On PostgreSQL the row is also locked from load to save (<see cref="SagaRowLock"/>), so events for one instance
/// queue instead of racing. The saga endpoint retries conflicts that remain (a concurrent first insert; SQLite)
/// against fresh state (see <see cref="SagaEndpointConventions"/>), and its in-memory outbox holds back whatever
/// the failed attempt published.
/// </summary>
public sealed class EfSagaRepositoryContextFactory<TContext, TSaga>(
    IDbContextFactory<TContext> contextFactory,
    ISagaConsumeContextFactory<TContext, TSaga> consumeContextFactory,
    SagaPersistenceOptions<TSaga> options)
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TContext : DbContext
    where TSaga : class, IVersionedSaga
{
    private SagaRowLock? _rowLock;
    private bool _rowLockResolved;

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var db = await contextFactory.CreateDbContextAsync(context.CancellationToken);
        var rowLock = RowLockFor(db);
        if (rowLock is null)
        {
            await next.Send(new EfSagaRepositoryContext<TContext, TSaga, T>(db, context, consumeContextFactory, options, rowLock: null));
            return;
        }

        // One transaction per message holds the row lock from load to save. The provider's retrying execution
        // strategy only allows transactions it runs itself; after a transient failure it runs the whole attempt
        // again on a clean change tracker (the outbox still holds anything the failed attempt published).
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async cancellationToken =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
            await next.Send(new EfSagaRepositoryContext<TContext, TSaga, T>(db, context, consumeContextFactory, options, rowLock));
            await transaction.CommitAsync(cancellationToken);
        }, context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await using var db = await contextFactory.CreateDbContextAsync(context.CancellationToken);
        var instances = await db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        var repositoryContext = new EfSagaRepositoryContext<TContext, TSaga, T>(db, context, consumeContextFactory, options, rowLock: null);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
    }

    public async Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await asyncMethod(new EfReadOnlySagaRepositoryContext<TSaga>(db, cancellationToken));
    }

    public async Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await asyncMethod(new EfReadOnlySagaRepositoryContext<TSaga>(db, cancellationToken));
    }

    /// <summary>The lock statement depends only on the model and provider, fixed for this factory: built once.</summary>
    private SagaRowLock? RowLockFor(DbContext db)
    {
        if (!_rowLockResolved)
        {
            _rowLock = SagaRowLock.For<TSaga>(db);
            _rowLockResolved = true;
        }

        return _rowLock;
    }

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "entity-framework-core");
        context.Add("saga", typeof(TSaga).Name);
    }
}
