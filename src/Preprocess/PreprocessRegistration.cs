using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>Options (<c>Pipeline:Preprocess</c>; the data limits come with each data set's schema) and the artifact store.</summary>
    public static IServiceCollection AddPreprocess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PreprocessOptions>().Bind(configuration.GetSection(PreprocessOptions.Section));
        if (!services.Any(d => d.ServiceType == typeof(IArtifactStore)))
        {
            services.AddArtifactStore(configuration);
        }

        return services;
    }
}
