using Pipeline.Orchestrator;
using Pipeline.Orchestrator.Api;
using Pipeline.Orchestrator.Dashboard;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.Platform.Security;

// The orchestrator process: hosts the TrainingJob saga, the jobs API under /api and the dashboard (/ui).
// Settings from the environment; listens on 127.0.0.1:5080 unless ASPNETCORE_URLS or --urls says otherwise.
return await PipelineHost.RunAsync(
    args,
    defaultPort: 5080,
    builder =>
    {
        builder.Services.AddOrchestrator(builder.Configuration);
        builder.Services.AddJobsApi(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration, x => x.AddOrchestratorSagas());
    },
    app =>
    {
        app.MapJobsApi();
        app.MapDashboard();
        app.MapKeysApi();
    });
