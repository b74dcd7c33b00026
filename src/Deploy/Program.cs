using Pipeline.Deploy;
using Pipeline.Deploy.Serving;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;

// The deploy process: registry, quality gate, serving API. Listens on 127.0.0.1:5081 unless ASPNETCORE_URLS or
// --urls says otherwise.
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Logging.UsePipelineDefaults();
    if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    {
        builder.WebHost.UseUrls("http://127.0.0.1:5081");
    }

    builder.Services.AddDeploy(builder.Configuration);
    builder.Services.AddPipelineBus(builder.Configuration, x => x.AddDeployConsumers());
    await using var app = builder.Build();
    app.MapServingApi();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (PipelineHost.Unwrap(ex) is StartupException startup)
{
    await Console.Error.WriteLineAsync($"error: {startup.Message}");
    return PipelineHost.StartupFailedExitCode;
}
