using System.Diagnostics;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Deploy.Deployment;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;

namespace Pipeline.Deploy.Tests;

/// <summary>
/// Issue #18, item 4: a cancel that arrives while the job is Deploying stops the deployment within seconds and stores
/// nothing: no registry row, no files under the version's prefix, no outcome for the saga.
/// </summary>
public sealed class CancelDuringDeployTests : IDisposable
{
    private static readonly DeployFixture Fixture = new(rows: 2000);
    private readonly string _folder = Directory.CreateTempSubdirectory("deploy-cancel-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_cancel_after_the_first_files_are_stored_removes_them_and_the_candidate_row()
    {
        var (_, registry, local) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        using var cancel = new CancellationTokenSource();
        var store = new HookedStore(local)
        {
            OnRegistryPut = async key =>
            {
                if (key.EndsWith(ModelArtifactKeys.TransformFile, StringComparison.Ordinal))
                {
                    await cancel.CancelAsync();
                }
            },
        };
        var deployer = new ModelDeployer(store, registry, Options.Create(new DeployOptions { Baseline = false }), NullLogger<ModelDeployer>.Instance);
        var command = await Fixture.StageJobAsync(local, Fixture.TrainModel(epochs: 10));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deployer.DeployAsync(command, cancel.Token));

        Assert.Null(await registry.FindByJobAsync(command.ModelName, command.JobId));
        Assert.Equal(0, await local.ListAsync("models").CountAsync());
    }

    [Fact]
    public async Task A_job_cancelled_mid_deployment_stops_within_seconds_with_no_outcome_and_nothing_stored()
    {
        // The deployment is held after its first registry file (the row registered, the baseline trained) until the
        // cancel has reached Deploy: the cancel lands mid-deployment, whatever the machine's speed.
        var (_, registry, local) = DeployFixture.Embedded(_folder);
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new HookedStore(local)
        {
            OnRegistryPut = async key =>
            {
                stored.TrySetResult();
                await proceed.Task;
            },
        };
        var deployer = new ModelDeployer(store, registry, Options.Create(new DeployOptions()), NullLogger<ModelDeployer>.Instance);
        var command = await Fixture.StageJobAsync(local, Fixture.TrainModel(epochs: 10));
        await using var provider = DeployModelConsumerTests.Harness(deployer);
        var harness = provider.GetRequiredService<ITestHarness>();
        var running = provider.GetRequiredService<RunningJobs>();
        await harness.Start();

        await harness.Bus.Publish(command);
        await stored.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.NotNull(await registry.FindByJobAsync(command.ModelName, command.JobId));
        await harness.Bus.Publish(new JobCancelled { JobId = command.JobId, Reason = "test" });
        Assert.True(await harness.Consumed.Any<JobCancelled>(x => x.Context.Message.JobId == command.JobId));
        var clock = Stopwatch.StartNew();
        proceed.SetResult();
        while (running.IsRunning(command.JobId))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the deployment still runs 5 s after the cancel");
            await Task.Delay(20);
        }

        Assert.True(await harness.Consumed.Any<DeployModel>(x => x.Context.Message.JobId == command.JobId));
        Assert.Empty(harness.Published.Select<ModelDeployed>());
        Assert.Empty(harness.Published.Select<DeploymentRejected>());
        Assert.Empty(harness.Published.Select<DeploymentFailed>());
        Assert.Empty(harness.Published.Select<Fault<DeployModel>>());
        Assert.Null(await registry.FindByJobAsync(command.ModelName, command.JobId));
        Assert.Equal(0, await local.ListAsync("models").CountAsync());
    }

    [Fact]
    public async Task A_deployment_whose_job_was_cancelled_before_it_arrived_does_nothing()
    {
        var (deployer, registry, local) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var command = await Fixture.StageJobAsync(local, Fixture.TrainModel(epochs: 10));
        await using var provider = DeployModelConsumerTests.Harness(deployer);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new JobCancelled { JobId = command.JobId, Reason = "test" });
        Assert.True(await harness.Consumed.Any<JobCancelled>(x => x.Context.Message.JobId == command.JobId));
        await harness.Bus.Publish(command);
        Assert.True(await harness.Consumed.Any<DeployModel>(x => x.Context.Message.JobId == command.JobId));

        Assert.Empty(harness.Published.Select<ModelDeployed>());
        Assert.Empty(harness.Published.Select<DeploymentRejected>());
        Assert.Null(await registry.FindByJobAsync(command.ModelName, command.JobId));
    }

    /// <summary>The local store, calling the test after each write to the registry bucket.</summary>
    private sealed class HookedStore(IArtifactStore inner) : IArtifactStore
    {
        public Func<string, Task>? OnRegistryPut { get; init; }

        public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken = default) => inner.EnsureBucketAsync(bucket, cancellationToken);

        public async Task<ArtifactInfo> PutAsync(string bucket, string key, Stream content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
        {
            var info = await inner.PutAsync(bucket, key, content, metadata, cancellationToken);
            if (bucket == "models" && OnRegistryPut is { } hook)
            {
                await hook(key);
            }

            return info;
        }

        public Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(bucket, key, cancellationToken);

        public Task<ArtifactInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken = default) => inner.StatAsync(bucket, key, cancellationToken);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string bucket, string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(bucket, prefix, cancellationToken);

        public Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(bucket, key, cancellationToken);
    }
}
