namespace Pipeline.Numerics.Layers;

/// <summary>
/// One fully connected layer y = f(x·W + b). W is stored row-major as inputs × outputs so the forward pass is a
/// plain A·B; the layer owns no memory: W and b are slices of the network's flat parameter vector, which keeps
/// parameter averaging, optimizer steps and saving to one contiguous span.
/// </summary>
public sealed class DenseLayer
{
    internal DenseLayer(int inputs, int outputs, Activation activation, int weightOffset)
    {
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        WeightOffset = weightOffset;
        BiasOffset = weightOffset + (inputs * outputs);
    }

    /// <summary>Input width.</summary>
    public int Inputs { get; }

    /// <summary>Output width.</summary>
    public int Outputs { get; }

    /// <summary>The element-wise non-linearity after the affine map.</summary>
    public Activation Activation { get; }

    /// <summary>Where W (inputs × outputs, row-major) starts in the flat parameter vector.</summary>
    public int WeightOffset { get; }

    /// <summary>Where b (outputs) starts in the flat parameter vector.</summary>
    public int BiasOffset { get; }

    /// <summary>Weights plus biases.</summary>
    public int ParameterCount => (Inputs * Outputs) + Outputs;

    internal ReadOnlySpan<float> Weights(ReadOnlySpan<float> parameters) => parameters.Slice(WeightOffset, Inputs * Outputs);

    internal ReadOnlySpan<float> Bias(ReadOnlySpan<float> parameters) => parameters.Slice(BiasOffset, Outputs);
}
