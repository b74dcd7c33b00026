using System.Globalization;

namespace Pipeline.Deploy.Deployment;

/// <summary>Where a version's artifacts live in the registry bucket: <c>{name}/{version}/…</c>.</summary>
public static class ModelArtifactKeys
{
    public const string ModelFile = "model.pnnm";
    public const string TransformFile = "transform.json";
    public const string OnnxFile = "model.onnx";
    public const string CardFile = "card.json";

    public static string Prefix(string name, int version) => $"{name}/{version.ToString(CultureInfo.InvariantCulture)}/";

    public static string Key(string name, int version, string file) => Prefix(name, version) + file;
}
