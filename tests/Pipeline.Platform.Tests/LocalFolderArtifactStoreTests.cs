using Pipeline.Platform.Artifacts;
using Pipeline.Testing;
using Xunit.Abstractions;

namespace Pipeline.Platform.Tests;

/// <summary>The shared contract against the local folder store, in a temporary root.</summary>
[Collection(ArtifactStoreCollection.Name)]
public sealed class LocalFolderArtifactStoreTests(ITestOutputHelper output) : ArtifactStoreContract(output)
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
