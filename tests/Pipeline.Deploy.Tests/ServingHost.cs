using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Deploy.Deployment;
using Pipeline.Deploy.Serving;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;

namespace Pipeline.Deploy.Tests;

/// <summary>
/// The Deploy process in embedded mode on a free port, with two versions deployed through its own deployer:
/// <c>houses</c> (regression, v1) and <c>tiers</c> (classification, v1), from <see cref="DeployFixture"/>.
/// </summary>
public sealed class ServingHost : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-serving-").FullName;
    private WebApplication? _app;

    public DeployFixture Houses { get; } = new();

    public DeployFixture Tiers { get; } = new(TaskKind.Classification);

    public IArtifactStore Store => _app!.Services.GetRequiredService<IArtifactStore>();

    public ModelDeployer Deployer => _app!.Services.GetRequiredService<ModelDeployer>();

    public HttpClient Client() => new() { BaseAddress = new Uri(_app!.Urls.First()) };

    public async Task InitializeAsync()
    {
        var settings = EmbeddedMode.Settings(_folder);
        settings["Pipeline:Deploy:Baseline"] = "false";
        var args = settings.Select(s => $"--{s.Key}={s.Value}").Append("--urls=http://127.0.0.1:0").ToArray();
        _app = PipelineHost.Build(args, defaultPort: 1, builder =>
        {
            builder.Services.AddDeploy(builder.Configuration);
            builder.Services.AddPipelineBus(builder.Configuration, x => x.AddDeployConsumers().KeepServingReadyWithoutBroker());
        }, a => a.MapServingApi());
        LogContext.ConfigureCurrentLogContext(_app.Services.GetRequiredService<ILoggerFactory>());
        await _app.StartAsync();

        foreach (var (fixture, name) in new[] { (Houses, "houses"), (Tiers, "tiers") })
        {
            // Forced: these tests are about serving the version, not about whether the gate would promote it.
            var command = await fixture.StageJobAsync(Store, fixture.TrainModel(epochs: 20), name) with { ForceDeploy = true };
            Assert.IsType<DeployOutcome.Deployed>(await Deployer.DeployAsync(command, CancellationToken.None));
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
