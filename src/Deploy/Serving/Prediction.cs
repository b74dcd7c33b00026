using System.Buffers;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// The answer of one model version to a batch of rows: the network's outputs (in a pooled buffer that
/// <see cref="Dispose"/> gives back), the warnings about values it accepted, and the columns it ignored.
/// </summary>
public sealed class Prediction(ServedModel model, float[] outputs, int rows, IReadOnlyList<FieldError> warnings, IReadOnlyCollection<string> ignored) : IDisposable
{
    private float[]? _outputs = outputs;

    public ServedModel Model { get; } = model;

    public int Rows { get; } = rows;

    public IReadOnlyList<FieldError> Warnings { get; } = warnings;

    public IReadOnlyCollection<string> Ignored { get; } = ignored;

    /// <summary>Values per row: one for regression, one probability per class for classification.</summary>
    public int Width => Model.Network.Spec.Outputs;

    /// <summary>The network's outputs of row <paramref name="row"/> (standardised target, or class probabilities).</summary>
    public ReadOnlySpan<float> Row(int row) =>
        (_outputs ?? throw new ObjectDisposedException(nameof(Prediction))).AsSpan(row * Width, Width);

    /// <summary>Regression: the prediction of <paramref name="row"/> in the target's own unit.</summary>
    public double Value(int row) => Model.Transform.DecodeTarget(Row(row)[0]);

    /// <summary>Classification: the index of the most probable class of <paramref name="row"/> (the first on a tie).</summary>
    public int BestClass(int row)
    {
        var values = Row(row);
        var best = 0;
        for (var c = 1; c < values.Length; c++)
        {
            best = values[c] > values[best] ? c : best;
        }

        return best;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _outputs, null) is { } buffer)
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }
}
