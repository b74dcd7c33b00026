namespace Pipeline.Numerics.Layers;

/// <summary>How <see cref="Network.Create"/> draws the starting parameters.</summary>
public enum WeightInitialisation
{
    /// <summary><see cref="He"/> for the relu family and gelu, <see cref="Glorot"/> for the rest.</summary>
    Auto,

    /// <summary>Weights uniform in ±sqrt(6 / fan_in), biases zero (He et al., for rectifiers).</summary>
    He,

    /// <summary>Weights uniform in ±sqrt(6 / (fan_in + fan_out)), biases zero (Glorot and Bengio).</summary>
    Glorot,

    /// <summary>
    /// Weights and biases uniform in ±1 / sqrt(fan_in): PyTorch's default for <c>nn.Linear</c>. Smaller weights
    /// than He; on wide relu networks trained for one epoch with Adam it ends at a lower validation loss.
    /// </summary>
    FanIn,
}
