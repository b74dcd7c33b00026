using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.TrainWorker;

// A training worker process: competing consumer of train-shard and merge-round. Settings from the environment.
return await PipelineHost.RunAsync(args, defaultPort: 5084, builder =>
{
    builder.Services.AddTrainWorker(builder.Configuration);
    builder.Services.AddPipelineBus(builder.Configuration, x => x.AddTrainWorkerConsumers());
});
