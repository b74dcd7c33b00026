using Pipeline.Deploy;
using Pipeline.Deploy.Serving;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;

// The deploy process: registry, quality gate, serving API. Settings from configuration or the environment
// (Pipeline__...); listens on 127.0.0.1:5081 unless ASPNETCORE_URLS or --urls says otherwise.
return await PipelineHost.RunAsync(
    args,
    defaultPort: 5081,
    builder =>
    {
        builder.Services.AddDeploy(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration, x => x.AddDeployConsumers().KeepServingReadyWithoutBroker());
    },
    app => app.MapServingApi(ServingApi.RegistryRoutesEnabled(app.Configuration)));
