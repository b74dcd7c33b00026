using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Ingest.Consumers;
using Pipeline.Ingest.Registry;
using Pipeline.Ingest.Triggers;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Persistence;

namespace Pipeline.Ingest;

/// <summary>
/// Hosting Ingest, alone or with other services in one process:
/// <code>
/// services.AddIngest(configuration);                       // before AddPipelineBus: schema first, then consumers
/// services.AddPipelineBus(configuration, x => x.AddIngestConsumers());
/// </code>
/// </summary>
public static class IngestRegistration
{
    /// <summary>Consumers on queues <c>submit-training-job</c>, <c>validate-dataset</c> and the MinIO endpoint.</summary>
    public static IBusRegistrationConfigurator AddIngestConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<SubmitTrainingJobConsumer>();
        bus.AddConsumer<ValidateDatasetConsumer>();
        bus.AddConsumer<MinioEventConsumer, MinioEventConsumerDefinition>();
        return bus;
    }

    /// <summary>Options, registry database (migrated at start-up), artifact store, trigger, validator, bucket watcher, client.</summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section));
        if (!services.Any(d => d.ServiceType == typeof(IArtifactStore)))
        {
            services.AddArtifactStore(configuration);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddPipelineDbContext<IngestDbContext, PostgresIngestDbContext, SqliteIngestDbContext>(configuration);
        services.TryAddScoped<ObjectTrigger>();
        services.TryAddSingleton<DatasetValidator>();
        services.TryAddScoped<IngestClient>();
        services.AddSingleton<BucketWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<BucketWatcher>());
        return services;
    }
}
