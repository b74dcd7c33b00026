using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Deploy.Deployment;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;

namespace Pipeline.Deploy.Tests;

/// <summary>The consumer answers the saga with exactly one of ModelDeployed, DeploymentRejected, DeploymentFailed.</summary>
public sealed class DeployModelConsumerTests : IDisposable
{
    private static readonly DeployFixture Fixture = new(rows: 600);
    private readonly string _folder = Directory.CreateTempSubdirectory("deploy-consumer-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_promoted_model_publishes_ModelDeployed_and_a_worse_one_DeploymentRejected()
    {
        var (deployer, _, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        await using var provider = Harness(deployer);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var good = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 10));
        await harness.Bus.Publish(good);
        Assert.True(await harness.Published.Any<ModelDeployed>(x => x.Context.Message.JobId == good.JobId));

        var worse = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 0));
        await harness.Bus.Publish(worse);
        Assert.True(await harness.Published.Any<DeploymentRejected>(x => x.Context.Message.JobId == worse.JobId && x.Context.Message.Version == 2));
    }

    [Fact]
    public async Task An_error_that_outlasts_the_retries_faults_the_command_for_the_saga_to_fail_the_job()
    {
        var (_, _, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var command = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 0));
        var broken = new ModelDeployer(new UnreachableStore(), DeployFixture.SqliteRegistry(Path.Combine(_folder, "other.db")), Options.Create(new DeployOptions()), NullLogger<ModelDeployer>.Instance);
        await using var provider = Harness(broken);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        // The store is down: no outcome is made up; after the bus's retries (none here) the Fault reaches the saga.
        await harness.Bus.Publish(command);
        Assert.True(await harness.Published.Any<Fault<DeployModel>>(x => x.Context.Message.Message.JobId == command.JobId && x.Context.Message.Exceptions[0].Message.Contains("unreachable", StringComparison.Ordinal)));
        Assert.Empty(harness.Published.Select<DeploymentFailed>());
    }

    /// <summary>The consumer under MassTransit's test harness, with the cancellations Deploy hears (<see cref="RunningJobs"/>).</summary>
    internal static ServiceProvider Harness(ModelDeployer deployer) => new ServiceCollection()
        .AddSingleton(deployer)
        .AddSingleton<IHostApplicationLifetime>(new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance))
        .AddSingleton<RunningJobs>()
        .AddLogging()
        .Configure<TestHarnessOptions>(o =>
        {
            // A deployment takes seconds on a busy machine; the harness's default inactivity timeout is shorter.
            o.TestInactivityTimeout = TimeSpan.FromSeconds(10);
            o.TestTimeout = TimeSpan.FromSeconds(60);
        })
        .AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<DeployModelConsumer>();
            x.AddConsumer<DeployJobCancelledConsumer>();
        })
        .BuildServiceProvider(true);

    private sealed class UnreachableStore : IArtifactStore
    {
        public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken = default) => throw Unreachable();

        public Task<ArtifactInfo> PutAsync(string bucket, string key, Stream content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) => throw Unreachable();

        public Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default) => throw Unreachable();

        public Task<ArtifactInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken = default) => throw Unreachable();

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string bucket, string prefix = "", CancellationToken cancellationToken = default) => throw Unreachable();

        public Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken = default) => throw Unreachable();

        private static HttpRequestException Unreachable() => new("store unreachable");
    }
}
