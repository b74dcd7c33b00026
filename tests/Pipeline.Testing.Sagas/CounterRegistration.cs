using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Platform.Messaging;
using Pipeline.Platform.Persistence;

namespace Pipeline.Testing.Sagas;

public static class CounterRegistration
{
    /// <summary>The counter saga on the configured bus and database, the way a real service registers its saga.</summary>
    public static IServiceCollection AddCounterService(this IServiceCollection services, IConfiguration configuration, FinalizedSagaPolicy finalized = FinalizedSagaPolicy.Delete)
    {
        services.AddPipelineDbContext<CounterDbContext, PostgresCounterDbContext, SqliteCounterDbContext>(configuration);
        services.AddPipelineBus(configuration, x =>
            x.AddSagaStateMachine<CounterStateMachine, CounterSaga, CounterSagaDefinition>().EfCoreRepository<CounterSaga, CounterDbContext>(finalized));
        return services;
    }
}
