using Pipeline.Numerics.Layers;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Serving;

/// <summary>One loaded version: immutable, shared by every request that resolved to it.</summary>
public sealed class ServedModel(string name, int version, Network network, FittedTransform transform)
{
    public string Name { get; } = name;

    public int Version { get; } = version;

    public Network Network { get; } = network;

    public FittedTransform Transform { get; } = transform;

    public RowEncoder Encoder { get; } = new(transform);

    public bool IsClassification => Transform.Task == Contracts.TaskKind.Classification;
}
