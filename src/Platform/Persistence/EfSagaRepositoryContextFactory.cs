using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// MassTransit saga repository on EF Core (MassTransit.EntityFrameworkCore is not available to us). One fresh
/// DbContext per message; the instance is loaded with tracking, the state machine runs, and the update carries
/// the row version it read, so a concurrent writer makes it fail with <see cref="DbUpdateConcurrencyException"/>.
/// The saga endpoint retries such failures (see <see cref="SagaEndpointConventions"/>) against fresh state, and
/// its in-memory outbox holds back whatever the failed attempt published.
/// </summary>
public sealed class EfSagaRepositoryContextFactory<TContext, TSaga>(
    IDbContextFactory<TContext> contextFactory,
    ISagaConsumeContextFactory<TContext, TSaga> consumeContextFactory,
    SagaPersistenceOptions<TSaga> options)
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TContext : DbContext
    where TSaga : class, IVersionedSaga
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var db = await contextFactory.CreateDbContextAsync(context.CancellationToken);
        var repositoryContext = new EfSagaRepositoryContext<TContext, TSaga, T>(db, context, consumeContextFactory, options);
        await next.Send(repositoryContext);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await using var db = await contextFactory.CreateDbContextAsync(context.CancellationToken);
        var instances = await db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken);
        var repositoryContext = new EfSagaRepositoryContext<TContext, TSaga, T>(db, context, consumeContextFactory, options);
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

    public void Probe(ProbeContext context)
    {
        context.Add("persistence", "entity-framework-core");
        context.Add("saga", typeof(TSaga).Name);
    }
}
