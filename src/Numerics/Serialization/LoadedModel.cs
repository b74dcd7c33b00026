using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Serialization;

/// <summary>What a model file holds: the network (architecture + parameters) and the names of its input features.</summary>
public sealed record LoadedModel(Network Network, IReadOnlyList<string> FeatureNames, int FormatVersion);
