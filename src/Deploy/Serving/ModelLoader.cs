using Microsoft.Extensions.Options;
using Pipeline.Deploy.Deployment;
using Pipeline.Numerics.Serialization;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Serving;

/// <summary>Loads a registered version's model file and transform from the artifact store.</summary>
public sealed class ModelLoader(IArtifactStore store, IOptions<DeployOptions> options)
{
    public async Task<ServedModel> LoadAsync(string name, int version, CancellationToken cancellationToken)
    {
        var bucket = options.Value.Bucket;
        var modelBytes = await store.ReadAllBytesAsync(bucket, ModelArtifactKeys.Key(name, version, ModelArtifactKeys.ModelFile), cancellationToken);
        var transformBytes = await store.ReadAllBytesAsync(bucket, ModelArtifactKeys.Key(name, version, ModelArtifactKeys.TransformFile), cancellationToken);
        var network = ModelFile.Load(new MemoryStream(modelBytes, writable: false)).Network;
        var transform = FittedTransform.FromJson(System.Text.Encoding.UTF8.GetString(transformBytes));
        return new ServedModel(name, version, network, transform);
    }
}
