using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Pipeline.Platform.Persistence;

public static class SagaRepositoryRegistration
{
    /// <summary>
    /// Persists the saga with <see cref="EfSagaRepositoryContextFactory{TContext,TSaga}"/> in <typeparamref name="TContext"/>
    /// (registered with <see cref="DatabaseRegistration.AddPipelineDbContext{TContext,TPostgres,TSqlite}"/>). The query
    /// and load repositories are registered too, so APIs can resolve <c>IQuerySagaRepository&lt;TSaga&gt;</c> and
    /// <c>ILoadSagaRepository&lt;TSaga&gt;</c>.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> EfCoreRepository<TSaga, TContext>(
        this ISagaRegistrationConfigurator<TSaga> saga,
        FinalizedSagaPolicy finalized = FinalizedSagaPolicy.Delete)
        where TSaga : class, IVersionedSaga
        where TContext : DbContext
    {
        return saga.Repository(r =>
        {
            r.TryAddSingleton(new SagaPersistenceOptions<TSaga> { Finalized = finalized });
            r.RegisterLoadSagaRepository<TSaga, EfSagaRepositoryContextFactory<TContext, TSaga>>();
            r.RegisterQuerySagaRepository<TSaga, EfSagaRepositoryContextFactory<TContext, TSaga>>();
            r.RegisterSagaRepository<TSaga, TContext, SagaConsumeContextFactory<TContext, TSaga>, EfSagaRepositoryContextFactory<TContext, TSaga>>();
        });
    }
}
