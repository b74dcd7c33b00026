using Pipeline.Ingest;
using Pipeline.Ingest.Api;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;

// The ingest process: bucket watcher, MinIO notifications, SubmitTrainingJob, dataset validation and the submit
// API (POST /api/jobs). Settings from configuration or the environment (Pipeline__...).
return await PipelineHost.RunAsync(
    args,
    defaultPort: 5082,
    builder =>
    {
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration, x => x.AddIngestConsumers());
    },
    app => app.MapSubmitApi().MapRetrainApi());
