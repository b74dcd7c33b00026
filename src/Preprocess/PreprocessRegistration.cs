using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;

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
    /// <summary>The consumer on queue <c>preprocess-dataset</c>, and the one that stops a cancelled job's run.</summary>
    public static IBusRegistrationConfigurator AddPreprocessConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<PreprocessDatasetConsumer>();

        // Every instance needs every cancellation: a temporary queue named per instance (as the train workers do).
        var instance = Guid.NewGuid().ToString("N")[..12];
        bus.AddConsumer<PreprocessJobCancelledConsumer>().Endpoint(e =>
        {
            e.Temporary = true;
            e.InstanceId = instance;
        });
        return bus;
    }

    /// <summary>Options (<c>Pipeline:Preprocess</c>; the data limits come with each data set's schema) and the artifact store.</summary>
    public static IServiceCollection AddPreprocess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PreprocessOptions>().Bind(configuration.GetSection(PreprocessOptions.Section));
        services.TryAddSingleton<RunningJobs>();
        if (!services.Any(d => d.ServiceType == typeof(IArtifactStore)))
        {
            services.AddArtifactStore(configuration);
        }

        return services;
    }
}
