using System.Numerics.Tensors;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Training;

/// <summary>How the merger turns a round's averaged shard models into the next global model.</summary>
public enum ServerOptimizerKind
{
    /// <summary>Plain federated averaging: the next global model is the sample-weighted mean of the shard models.</summary>
    FedAvg,

    /// <summary>Server momentum on the round's pseudo-gradient (Hsu et al. 2019; Reddi et al. 2021).</summary>
    FedAvgM,

    /// <summary>Adam without bias correction on the round's pseudo-gradient (Reddi et al. 2021, "FedAdam").</summary>
    FedAdam,
}

/// <summary>
/// Server learning rate η, momentum (FedAvgM's μ, FedAdam's β₁), FedAdam's β₂ and its adaptivity τ.
/// FedAvgM with η = 1 and μ = 0 is FedAvg.
/// </summary>
public sealed record ServerOptimizerSettings(ServerOptimizerKind Kind, double LearningRate = 1, double Momentum = 0)
{
    public double Beta2 { get; init; } = 0.99;
    public double Tau { get; init; } = 1e-3;
}

/// <summary>
/// The server step of "Adaptive Federated Optimization" (Reddi et al. 2021). The round's pseudo-gradient is
/// Δ = x_prev − x̄ (the previous global model minus the sample-weighted mean of the shard models) and
/// <list type="bullet">
/// <item>FedAvg: x = x̄;</item>
/// <item>FedAvgM: m = μm + Δ, x = x_prev − ηm;</item>
/// <item>FedAdam: m = β₁m + (1−β₁)Δ, v = β₂v + (1−β₂)Δ², x = x_prev − ηm / (√v + τ).</item>
/// </list>
/// The arithmetic is element-wise in double (no fused multiply-add, whose availability differs between machines), so
/// the result is the same bits everywhere and FedAvgM with η = 1, μ = 0 gives exactly x̄. The buffers m and v travel
/// between rounds as an <see cref="OptimizerState"/> (Step = rounds taken), stored beside the merged model so a
/// restarted merger continues exactly.
/// </summary>
public static class ServerOptimizer
{
    /// <summary>The state before the first round: no buffers (they start at zero).</summary>
    public static OptimizerState Initial { get; } = new(0, [], []);

    /// <summary>The next global model and server state from the previous global model and the round's average.</summary>
    public static (Network Model, OptimizerState State) Step(
        Network previous, Network average, OptimizerState state, ServerOptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(average);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        if (!previous.Spec.Equals(average.Spec))
        {
            throw new ArgumentException($"The previous global model ({previous.Spec}) and the average ({average.Spec}) differ in architecture.", nameof(average));
        }

        if (settings.Kind == ServerOptimizerKind.FedAvg)
        {
            return (average, new OptimizerState(state.Step + 1, [], []));
        }

        var n = previous.Parameters.Length;
        var x = Widen(previous.Parameters);
        var delta = Widen(average.Parameters);
        TensorPrimitives.Subtract(x, delta, delta); // Δ = x_prev − x̄

        var m = BufferOf(state.First, n, "first");
        double[] step;
        float[] second = [];
        if (settings.Kind == ServerOptimizerKind.FedAvgM)
        {
            // m = μm + Δ; x = x_prev − ηm
            TensorPrimitives.Multiply(m, settings.Momentum, m);
            TensorPrimitives.Add(m, delta, m);
            step = new double[n];
            TensorPrimitives.Multiply(m, settings.LearningRate, step);
        }
        else
        {
            // m = β₁m + (1−β₁)Δ; v = β₂v + (1−β₂)Δ²; x = x_prev − ηm / (√v + τ)
            var v = BufferOf(state.Second, n, "second");
            var scratch = new double[n];
            TensorPrimitives.Multiply(m, settings.Momentum, m);
            TensorPrimitives.Multiply(delta, 1 - settings.Momentum, scratch);
            TensorPrimitives.Add(m, scratch, m);
            TensorPrimitives.Multiply(v, settings.Beta2, v);
            TensorPrimitives.Multiply(delta, delta, scratch);
            TensorPrimitives.Multiply(scratch, 1 - settings.Beta2, scratch);
            TensorPrimitives.Add(v, scratch, v);
            step = new double[n];
            TensorPrimitives.Sqrt(v, scratch);
            TensorPrimitives.Add(scratch, settings.Tau, scratch);
            TensorPrimitives.Divide(m, scratch, step);
            TensorPrimitives.Multiply(step, settings.LearningRate, step);
            second = Narrow(v);
        }

        TensorPrimitives.Subtract(x, step, x);
        var next = Network.FromParameters(previous.Spec, Narrow(x), average.Backend);
        return (next, new OptimizerState(state.Step + 1, Narrow(m), second));
    }

    private static double[] Widen(ReadOnlySpan<float> values)
    {
        var wide = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            wide[i] = values[i];
        }

        return wide;
    }

    private static float[] Narrow(ReadOnlySpan<double> values)
    {
        var narrow = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            narrow[i] = (float)values[i];
        }

        return narrow;
    }

    /// <summary>A stored buffer, or zeros before the first round (an empty buffer).</summary>
    private static double[] BufferOf(float[] stored, int parameters, string name)
    {
        if (stored.Length == 0)
        {
            return new double[parameters];
        }

        if (stored.Length != parameters)
        {
            throw new InvalidDataException($"the server optimizer's {name} moment has {stored.Length} values, the model {parameters}");
        }

        return Widen(stored);
    }
}
