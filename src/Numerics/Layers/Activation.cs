namespace Pipeline.Numerics.Layers;

/// <summary>Element-wise non-linearity applied after a dense layer's affine map.</summary>
public enum Activation
{
    /// <summary>f(z) = z.</summary>
    Identity,

    /// <summary>f(z) = max(z, 0).</summary>
    Relu,

    /// <summary>f(z) = z for z &gt; 0, else 0.01·z.</summary>
    LeakyRelu,

    /// <summary>f(z) = tanh(z).</summary>
    Tanh,

    /// <summary>f(z) = 1 / (1 + e^-z).</summary>
    Sigmoid,

    /// <summary>Gaussian error linear unit, tanh approximation (PyTorch's <c>gelu(approximate="tanh")</c>).</summary>
    Gelu,
}
