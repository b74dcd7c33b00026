using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Orchestrator.Retention;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Artifacts;
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
        services.AddArtifactRetention(configuration);
        return services;
    }

    /// <summary>
    /// The artifact lifecycle (docs/RELIABILITY.md): the sweeper behind <c>POST /api/gc</c> and the periodic sweep,
    /// with <c>Pipeline:Retention</c>.
    /// </summary>
    public static IServiceCollection AddArtifactRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section));
        services.AddArtifactStore(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ArtifactSweeper>();
        services.AddHostedService<ArtifactSweepService>();
        return services;
    }

    /// <summary>
    /// The TrainingJob saga, persisted with our EF Core repository; finished jobs are kept for the dashboard.
    /// <paramref name="consume"/> false registers the repository (job state can be read) without a receive endpoint:
    /// a host beside an orchestrator process that must not take its messages.
    /// </summary>
    public static IBusRegistrationConfigurator AddOrchestratorSagas(this IBusRegistrationConfigurator bus, bool consume = true)
    {
        var saga = bus.AddSagaStateMachine<TrainingJobStateMachine, TrainingJobState, TrainingJobDefinition>()
            .EfCoreRepository<TrainingJobState, OrchestratorDbContext>(FinalizedSagaPolicy.Archive);
        if (!consume)
        {
            saga.ExcludeFromConfigureEndpoints();
        }

        return bus;
    }
}
