namespace Pipeline.Numerics.Layers;

/// <summary>One-value-at-a-time activation formulas, straight from their definitions (reference and ILGPU kernels).</summary>
public static class ScalarActivation
{
    /// <summary>f(z).</summary>
    public static float Value(Activation activation, float z) => activation switch
    {
        Activation.Identity => z,
        Activation.Relu => z < 0 ? 0 : z, // NaN passes through, as in PyTorch
        Activation.LeakyRelu => z > 0 ? z : ActivationFunctions.LeakySlope * z,
        Activation.Tanh => MathF.Tanh(z),
        Activation.Sigmoid => 1f / (1f + MathF.Exp(-z)),
        Activation.Gelu => 0.5f * z * (1f + MathF.Tanh(0.7978845608028654f * (z + (0.044715f * z * z * z)))),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>f'(z).</summary>
    public static float Derivative(Activation activation, float z)
    {
        switch (activation)
        {
            case Activation.Identity:
                return 1;
            case Activation.Relu:
                return z > 0 ? 1 : 0;
            case Activation.LeakyRelu:
                return z > 0 ? 1 : ActivationFunctions.LeakySlope;
            case Activation.Tanh:
                float t = MathF.Tanh(z);
                return 1 - (t * t);
            case Activation.Sigmoid:
                float s = 1f / (1f + MathF.Exp(-z));
                return s * (1 - s);
            case Activation.Gelu:
                const float c = 0.7978845608028654f;
                float u = MathF.Tanh(c * (z + (0.044715f * z * z * z)));
                return (0.5f * (1 + u)) + (0.5f * z * (1 - (u * u)) * c * (1 + (3 * 0.044715f * z * z)));
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }
}
