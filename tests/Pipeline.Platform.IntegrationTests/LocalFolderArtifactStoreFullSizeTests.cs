using Pipeline.Platform.Artifacts;
using Pipeline.Testing;
using Xunit.Abstractions;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>The shared contract against the local folder store with the 1 GiB large object (the unit tests use 256 MiB).</summary>
[Collection(ArtifactStoreCollection.Name)]
public sealed class LocalFolderArtifactStoreFullSizeTests(ITestOutputHelper output) : ArtifactStoreContract(output)
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-artifacts-" + Guid.NewGuid().ToString("N"));
    private LocalFolderArtifactStore? _store;

    protected override IArtifactStore Store => _store ??= new LocalFolderArtifactStore(_root);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
