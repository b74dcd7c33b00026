using Pipeline.Deploy.Deployment;

namespace Pipeline.Deploy.Serving.Artifacts;

/// <summary>
/// One downloadable artifact of a version: its name in the route, its file in the registry bucket, its content
/// type, and its entry in the model card's <c>artifacts</c> (where the deployer recorded its SHA-256; null for the
/// card itself, whose hash is stored as object metadata).
/// </summary>
public sealed record ModelArtifactKind(string Name, string File, string ContentType, string? CardEntry)
{
    public static IReadOnlyList<ModelArtifactKind> All { get; } =
    [
        new("model", ModelArtifactKeys.ModelFile, "application/octet-stream", "model"),
        new("onnx", ModelArtifactKeys.OnnxFile, "application/octet-stream", "onnx"),
        new("transform", ModelArtifactKeys.TransformFile, "application/json", "transform"),
        new("card", ModelArtifactKeys.CardFile, "application/json", null),
    ];

    public static ModelArtifactKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
