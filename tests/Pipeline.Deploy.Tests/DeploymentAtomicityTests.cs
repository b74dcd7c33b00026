using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Deploy.Deployment;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Deploy.Tests;

/// <summary>A registry row never points at artifacts that are not in the store, and a retry or redeploy completes the version.</summary>
public sealed class DeploymentAtomicityTests : IDisposable
{
    private static readonly DeployFixture Fixture = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("deploy-atomic-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_deployment_whose_artifacts_cannot_be_stored_leaves_no_registry_row_and_the_retry_deploys()
    {
        var (_, registry, local) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var store = new WritesRefusedStore(local);
        var deployer = new ModelDeployer(store, registry, Options.Create(new DeployOptions { Baseline = false }), NullLogger<ModelDeployer>.Instance);
        var command = await Fixture.StageJobAsync(local, Fixture.TrainModel(epochs: 20));

        store.Refuse = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => deployer.DeployAsync(command, CancellationToken.None));
        Assert.Null(await registry.FindByJobAsync(command.ModelName, command.JobId));

        store.Refuse = false;
        var deployed = Assert.IsType<DeployOutcome.Deployed>(await deployer.DeployAsync(command, CancellationToken.None));
        Assert.Equal(1, deployed.Version);
        Assert.Equal(4, await local.ListAsync("models", "houses/1/").CountAsync());
    }

    [Fact]
    public async Task Deploying_a_job_again_restores_the_artifacts_its_version_lost_and_keeps_the_version()
    {
        var (deployer, registry, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var command = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 20));
        Assert.IsType<DeployOutcome.Deployed>(await deployer.DeployAsync(command, CancellationToken.None));
        await store.DeleteAsync("models", "houses/1/model.onnx");

        var again = Assert.IsType<DeployOutcome.Deployed>(await deployer.DeployAsync(command, CancellationToken.None));

        Assert.Equal(1, again.Version);
        Assert.NotNull(await store.StatAsync("models", "houses/1/model.onnx"));
        Assert.Single(await registry.ListAsync("houses"));
    }

    /// <summary>The store with writes failing as when S3 is down; reads of what is already there still work.</summary>
    private sealed class WritesRefusedStore(IArtifactStore inner) : IArtifactStore
    {
        public bool Refuse { get; set; }

        public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken = default) => inner.EnsureBucketAsync(bucket, cancellationToken);

        public Task<ArtifactInfo> PutAsync(string bucket, string key, Stream content, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) =>
            Refuse ? throw new HttpRequestException("store unreachable") : inner.PutAsync(bucket, key, content, metadata, cancellationToken);

        public Task<Stream> OpenReadAsync(string bucket, string key, CancellationToken cancellationToken = default) => inner.OpenReadAsync(bucket, key, cancellationToken);

        public Task<ArtifactInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken = default) => inner.StatAsync(bucket, key, cancellationToken);

        public IAsyncEnumerable<ArtifactInfo> ListAsync(string bucket, string prefix = "", CancellationToken cancellationToken = default) => inner.ListAsync(bucket, prefix, cancellationToken);

        public Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(bucket, key, cancellationToken);
    }
}
