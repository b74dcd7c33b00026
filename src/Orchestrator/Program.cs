using Pipeline.Orchestrator;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;

// The orchestrator process: hosts the TrainingJob saga. Settings from the environment.
return await PipelineHost.RunAsync(args, defaultPort: 5080, builder =>
{
    builder.Services.AddOrchestrator(builder.Configuration);
    builder.Services.AddPipelineBus(builder.Configuration, x => x.AddOrchestratorSagas());
});
