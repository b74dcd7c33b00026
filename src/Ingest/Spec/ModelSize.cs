using Pipeline.Contracts;

namespace Pipeline.Ingest.Spec;

/// <summary>
/// The size of the network a job asks for, checked before anything is trained: each worker holds the parameters
/// several times over (weights, gradients, optimizer state), so a spec such as 16 layers of 8192 on 10 000 features
/// would exhaust it. Setting <c>Pipeline:Ingest:MaxParameters</c>.
/// </summary>
public static class ModelSize
{
    /// <summary>20 million parameters: 80 MB of weights, a few hundred MB per worker with gradients and Adam's moments.</summary>
    public const long DefaultMaxParameters = 20_000_000;

    /// <summary>Weights and biases of a dense network inputs → hidden layers → outputs (saturates instead of overflowing).</summary>
    public static long Parameters(long inputs, IReadOnlyList<int> hiddenLayers, long outputs)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        long total = 0;
        var previous = inputs;
        foreach (var width in hiddenLayers.Select(w => (long)w).Append(outputs))
        {
            total = SaturatingAdd(total, SaturatingMultiply(previous + 1, width));
            previous = width;
        }

        return total;
    }

    /// <summary>
    /// Null when the network of <paramref name="settings"/> on <paramref name="inputs"/> inputs fits the limit,
    /// otherwise why not. At submit time the inputs are not known yet: 1 checks the hidden layers alone.
    /// </summary>
    public static string? Check(TrainingSettings settings, long inputs, long maxParameters)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var parameters = Parameters(inputs, settings.HiddenLayers, outputs: 1);
        return parameters <= maxParameters
            ? null
            : $"the network ({inputs} inputs, hidden layers {string.Join(",", settings.HiddenLayers)}) would have {parameters:N0} parameters, more than the limit of {maxParameters:N0} (setting Pipeline:Ingest:MaxParameters); use fewer or narrower hidden layers.";
    }

    private static long SaturatingMultiply(long a, long b) => b != 0 && a > long.MaxValue / b ? long.MaxValue : a * b;

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
