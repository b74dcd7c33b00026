using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Deploy.Deployment;
using Pipeline.Deploy.Registry;
using Pipeline.Deploy.Serving;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.Platform.Persistence;

namespace Pipeline.Deploy;

public static class DeployRegistration
{
    /// <summary>
    /// Registry, deployer, model cache and serving handlers; call with <see cref="AddDeployConsumers"/> inside
    /// AddPipelineBus and map the HTTP API with <see cref="ServingApi.MapServingApi"/>.
    /// </summary>
    public static IServiceCollection AddDeploy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeployOptions>().Bind(configuration.GetSection(DeployOptions.Section));
        services.AddPipelineDbContext<DeployDbContext, PostgresDeployDbContext, SqliteDeployDbContext>(configuration);
        services.AddArtifactStore(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<ModelDeployer>();
        services.AddSingleton<ModelLoader>();
        services.AddSingleton<ModelCache>();
        services.AddSingleton<PredictionHandler>();
        services.TryAddSingleton<RunningJobs>();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section));
        services.AddSingleton<RegistryGc>();

        // A deployment evaluates, trains a baseline and exports: one at a time per process is plenty.
        services.PostConfigure<BusOptions>(o => o.EndpointConcurrency.TryAdd(CommandQueues.DeployModel, 1));
        return services;
    }

    /// <summary>
    /// Readiness of a serving process is its registry database only: serving does not need the broker, and a broker
    /// outage must not take every serving replica out of its load balancer at once (the consumers reconnect by
    /// themselves; the outage is in the logs). For a process that is only Deploy: it changes the bus's health check
    /// for everything the process hosts.
    /// </summary>
    public static IBusRegistrationConfigurator KeepServingReadyWithoutBroker(this IBusRegistrationConfigurator bus)
    {
        // MassTransit puts its default tags (readiness included) back on an empty set, hence a tag of our own.
        bus.ConfigureHealthCheckOptions(o =>
        {
            o.Tags.Clear();
            o.Tags.Add("bus");
        });
        return bus;
    }

    public static IBusRegistrationConfigurator AddDeployConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<DeployModelConsumer>().Endpoint(e => e.Name = CommandQueues.DeployModel);
        bus.AddConsumer<RollbackModelConsumer>().Endpoint(e => e.Name = CommandQueues.RollbackModel);

        // Each serving instance needs every swap event, so its queue is its own: temporary (deleted when it stops)
        // and named per instance, since a temporary queue is exclusive to the connection that declared it.
        bus.AddConsumer<ProductionChangedConsumer>().Endpoint(e =>
        {
            e.Temporary = true;
            e.InstanceId = Guid.NewGuid().ToString("N")[..12];
        });

        // The same for cancellations: every instance stops the deployments it runs for a cancelled job.
        bus.AddConsumer<DeployJobCancelledConsumer>().Endpoint(e =>
        {
            e.Temporary = true;
            e.InstanceId = Guid.NewGuid().ToString("N")[..12];
        });
        return bus;
    }
}
