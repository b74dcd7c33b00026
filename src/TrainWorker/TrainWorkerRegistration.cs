using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.TrainWorker.Consumers;

namespace Pipeline.TrainWorker;

public static class TrainWorkerRegistration
{
    /// <summary>Worker services; call with <see cref="AddTrainWorkerConsumers"/> inside AddPipelineBus.</summary>
    public static IServiceCollection AddTrainWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrainWorkerOptions>().Bind(configuration.GetSection(TrainWorkerOptions.Section));

        // One shard at a time per process (and no prefetched shards waiting behind it, which would starve other
        // workers): the engine already uses every core for one shard.
        services.PostConfigure<BusOptions>(o => o.EndpointConcurrency.TryAdd(CommandQueues.TrainShard, 1));
        services.AddArtifactStore(configuration);
        services.AddSingleton<ShardCache>();
        services.AddSingleton<ModelArtifacts>();
        services.TryAddSingleton<RunningJobs>();
        return services;
    }

    public static IBusRegistrationConfigurator AddTrainWorkerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<TrainShardConsumer>().Endpoint(e => e.Name = CommandQueues.TrainShard);
        bus.AddConsumer<MergeRoundConsumer>().Endpoint(e => e.Name = CommandQueues.MergeRound);
        // Every worker needs every cancellation: a queue of its own, temporary, and named per instance because a
        // temporary queue is exclusive to the connection that declared it.
        var instance = Guid.NewGuid().ToString("N")[..12];
        bus.AddConsumer<JobCancelledConsumer>().Endpoint(e =>
        {
            e.Temporary = true;
            e.InstanceId = instance;
        });
        // The same for the end of a job's training: each worker frees the job's cached shards.
        bus.AddConsumer<TrainingFinishedConsumer>().Endpoint(e =>
        {
            e.Temporary = true;
            e.InstanceId = instance;
        });
        return bus;
    }
}
