using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Deploy.Serving;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.Platform.Security;

namespace Pipeline.Deploy.IntegrationTests;

/// <summary>One Deploy service (consumers + serving API) in this process on http://127.0.0.1:{free port}.</summary>
public sealed class DeployHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DeployHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public IBus Bus => _app.Services.GetRequiredService<IBus>();

    public IArtifactStore Store => _app.Services.GetRequiredService<IArtifactStore>();

    public static async Task<DeployHost> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();

        // The hot-swap load sends thousands of predictions a second from one client; the rate limit has its own
        // tests (tests/Pipeline.Security.Tests).
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:Security:PredictionsPerSecond"] = "0" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.UsePipelineDefaults().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddPipelineSecurity();
        builder.Services.AddDeploy(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration, x => x.AddDeployConsumers());
        var app = builder.Build();
        app.UsePipelineSecurity();
        app.MapServingApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DeployHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
