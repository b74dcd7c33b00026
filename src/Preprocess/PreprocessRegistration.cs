using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Ingest;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Preprocess;

/// <summary>
/// Hosting Preprocess, alone or with other services:
/// <code>
/// services.AddPreprocess(configuration);
/// services.AddPipelineBus(configuration, x => x.AddPreprocessConsumers());
/// </code>
/// </summary>
public static class PreprocessRegistration
{
    /// <summary>The consumer on queue <c>preprocess-dataset</c>.</summary>
    public static IBusRegistrationConfigurator AddPreprocessConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<PreprocessDatasetConsumer>();
        return bus;
    }

    /// <summary>Options (<c>Pipeline:Preprocess</c>, and the CSV limits of <c>Pipeline:Ingest</c>) and the artifact store.</summary>
    public static IServiceCollection AddPreprocess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PreprocessOptions>().Bind(configuration.GetSection(PreprocessOptions.Section));
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section));
        if (!services.Any(d => d.ServiceType == typeof(IArtifactStore)))
        {
            services.AddArtifactStore(configuration);
        }

        return services;
    }
}
