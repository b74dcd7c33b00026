namespace Pipeline.Numerics.Layers;

/// <summary>
/// The architecture of a fully connected network: inputs -> hidden layers (one width each, all with
/// <see cref="HiddenActivation"/>) -> a linear output layer of <see cref="Outputs"/> units.
/// </summary>
public sealed record NetworkSpec
{
    /// <summary>Creates and validates a spec.</summary>
    public NetworkSpec(int inputs, IReadOnlyList<int> hiddenWidths, Activation hiddenActivation, int outputs, OutputKind outputKind = OutputKind.Regression)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        foreach (int width in hiddenWidths)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(width, 1, nameof(hiddenWidths));
        }

        Inputs = inputs;
        HiddenWidths = [.. hiddenWidths];
        HiddenActivation = hiddenActivation;
        Outputs = outputs;
        OutputKind = outputKind;
    }

    /// <summary>Features per input row.</summary>
    public int Inputs { get; }

    /// <summary>Units of each hidden layer, input side first.</summary>
    public IReadOnlyList<int> HiddenWidths { get; }

    /// <summary>The non-linearity of every hidden layer.</summary>
    public Activation HiddenActivation { get; }

    /// <summary>Units of the output layer.</summary>
    public int Outputs { get; }

    /// <summary>How outputs are read: raw, sigmoid or softmax.</summary>
    public OutputKind OutputKind { get; }

    /// <summary>Layer widths including input and output: [inputs, hidden..., outputs].</summary>
    public int[] LayerSizes() => [Inputs, .. HiddenWidths, Outputs];

    /// <summary>Weights plus biases of all layers.</summary>
    public int ParameterCount()
    {
        var sizes = LayerSizes();
        long count = 0;
        for (int l = 1; l < sizes.Length; l++)
        {
            count += ((long)sizes[l - 1] * sizes[l]) + sizes[l];
        }

        return checked((int)count);
    }

    /// <summary>Records compare hidden widths by content, not by list reference.</summary>
    public bool Equals(NetworkSpec? other) =>
        other is not null && Inputs == other.Inputs && Outputs == other.Outputs && HiddenActivation == other.HiddenActivation
        && OutputKind == other.OutputKind && HiddenWidths.SequenceEqual(other.HiddenWidths);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Inputs);
        hash.Add(Outputs);
        hash.Add(HiddenActivation);
        hash.Add(OutputKind);
        foreach (int width in HiddenWidths)
        {
            hash.Add(width);
        }

        return hash.ToHashCode();
    }

    /// <summary>e.g. "5 -> 64 Relu -> 1 Regression".</summary>
    public override string ToString() =>
        string.Join(" -> ", [Inputs.ToString(System.Globalization.CultureInfo.InvariantCulture), .. HiddenWidths.Select(w => $"{w} {HiddenActivation}"), $"{Outputs} {OutputKind}"]);
}
