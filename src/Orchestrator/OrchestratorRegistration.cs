using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Persistence;

namespace Pipeline.Orchestrator;

public static class OrchestratorRegistration
{
    /// <summary>Job state storage and options; call with <see cref="AddOrchestratorSagas"/> inside AddPipelineBus.</summary>
    public static IServiceCollection AddOrchestrator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OrchestratorOptions>().Bind(configuration.GetSection(OrchestratorOptions.Section));
        services.AddPipelineDbContext<OrchestratorDbContext, PostgresOrchestratorDbContext, SqliteOrchestratorDbContext>(configuration);
        services.TryAddSingleton<Api.JobQueries>();
        services.AddHostedService<OrchestratorMetrics.JobsByStateSource>();
        return services;
    }

    /// <summary>The TrainingJob saga, persisted with our EF Core repository; finished jobs are kept for the dashboard.</summary>
    public static IBusRegistrationConfigurator AddOrchestratorSagas(this IBusRegistrationConfigurator bus)
    {
        bus.AddSagaStateMachine<TrainingJobStateMachine, TrainingJobState, TrainingJobDefinition>()
            .EfCoreRepository<TrainingJobState, OrchestratorDbContext>(FinalizedSagaPolicy.Archive);
        return bus;
    }
}
