using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Platform.Artifacts;
using Pipeline.Testing;
using Xunit.Abstractions;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>
/// The shared contract against the S3 endpoint named by the <c>Pipeline__Storage__*</c> environment variables
/// (s3rver from <c>infra/stack.sh up</c>). Without them every test fails: nothing is skipped silently.
/// </summary>
[Collection(ArtifactStoreCollection.Name)]
public sealed class S3ArtifactStoreTests : ArtifactStoreContract, IDisposable
{
    private readonly ServiceProvider _services;

    public S3ArtifactStoreTests(ITestOutputHelper output)
        : base(output)
    {
        var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var missing = new[] { "Endpoint", "AccessKey", "SecretKey" }
            .Where(name => string.IsNullOrWhiteSpace(environment[$"{ArtifactStoreOptions.SectionName}:{name}"]))
            .Select(name => $"Pipeline__Storage__{name}")
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"S3 integration tests need {string.Join(", ", missing)}: run `infra/stack.sh up` and `. infra/.state/stack.env` first.");
        }

        var configuration = new ConfigurationBuilder()
            .AddConfiguration(environment)
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"{ArtifactStoreOptions.SectionName}:Provider"] = "s3" })
            .Build();
        _services = new ServiceCollection().AddArtifactStore(configuration).BuildServiceProvider();
        Store = _services.GetRequiredService<IArtifactStore>();
        Assert.IsType<S3ArtifactStore>(Store);
    }

    protected override IArtifactStore Store { get; }

    [Fact]
    public async Task The_outage_probe_finds_the_running_endpoint_answering()
    {
        // Registered with the store: the probe messages consult before waiting out an object-store outage.
        var probe = Assert.Single(_services.GetServices<Pipeline.Platform.Messaging.Outages.IDependencyProbe>());
        Assert.Equal("object store", probe.Dependency);
        Assert.True(await probe.AnswersAsync(CancellationToken.None));
    }

    public void Dispose() => _services.Dispose();
}
