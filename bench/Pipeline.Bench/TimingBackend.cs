using System.Diagnostics;
using System.Globalization;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Bench;

/// <summary>
/// Wraps a backend and adds up the time of each operation, by name and shape, as the trainer really calls it:
/// profiling operations one at a time in a loop keeps their operands hot and misses what a step does between them.
/// With <paramref name="fuse"/> false the fused layer steps run as their two separate operations (timed each), to
/// compare both in one run.
/// </summary>
internal sealed class TimingBackend(IComputeBackend inner, bool fuse = true) : IComputeBackend
{
    private readonly Dictionary<string, (double Milliseconds, int Calls)> _totals = [];

    public string Name => inner.Name;

    public void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
    {
        long start = Stopwatch.GetTimestamp();
        inner.MatMul(a, b, c, m, k, n, transposeA, transposeB, accumulate);
        Add(string.Create(CultureInfo.InvariantCulture, $"matmul {m}x{k}x{n}{(transposeA ? " Aᵀ" : "")}{(transposeB ? " Bᵀ" : "")}"), start);
    }

    public void AddBias(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns)
    {
        long start = Stopwatch.GetTimestamp();
        inner.AddBias(matrix, bias, rows, columns);
        Add(string.Create(CultureInfo.InvariantCulture, $"bias {rows}x{columns}"), start);
    }

    public void SumRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums, bool accumulate)
    {
        long start = Stopwatch.GetTimestamp();
        inner.SumRows(matrix, rows, columns, sums, accumulate);
        Add(string.Create(CultureInfo.InvariantCulture, $"sum rows {rows}x{columns}"), start);
    }

    public void Activate(Activation activation, ReadOnlySpan<float> preActivation, Span<float> activated)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Activate(activation, preActivation, activated);
        Add(string.Create(CultureInfo.InvariantCulture, $"{activation} {preActivation.Length}"), start);
    }

    public void ActivationBackward(
        Activation activation, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> activated, ReadOnlySpan<float> gradOut, Span<float> gradPre)
    {
        long start = Stopwatch.GetTimestamp();
        inner.ActivationBackward(activation, preActivation, activated, gradOut, gradPre);
        Add(string.Create(CultureInfo.InvariantCulture, $"{activation} backward {preActivation.Length}"), start);
    }

    public void AddBiasAndActivate(Activation activation, Span<float> preActivation, ReadOnlySpan<float> bias, Span<float> activated, int rows, int columns)
    {
        if (!fuse)
        {
            AddBias(preActivation, bias, rows, columns);
            if (activation != Activation.Identity)
            {
                Activate(activation, preActivation[..(rows * columns)], activated);
            }

            return;
        }

        long start = Stopwatch.GetTimestamp();
        inner.AddBiasAndActivate(activation, preActivation, bias, activated, rows, columns);
        Add(string.Create(CultureInfo.InvariantCulture, $"bias + {activation} {rows}x{columns}"), start);
    }

    public void ActivationBackwardAndSumRows(
        Activation activation,
        ReadOnlySpan<float> preActivation,
        ReadOnlySpan<float> activated,
        ReadOnlySpan<float> gradOut,
        Span<float> gradPre,
        Span<float> biasGradient,
        int rows,
        int columns)
    {
        if (!fuse)
        {
            int size = rows * columns;
            ActivationBackward(activation, preActivation[..size], activated[..size], gradOut[..size], gradPre[..size]);
            SumRows(gradPre, rows, columns, biasGradient, accumulate: false);
            return;
        }

        long start = Stopwatch.GetTimestamp();
        inner.ActivationBackwardAndSumRows(activation, preActivation, activated, gradOut, gradPre, biasGradient, rows, columns);
        Add(string.Create(CultureInfo.InvariantCulture, $"{activation} backward + sum rows {rows}x{columns}"), start);
    }

    /// <summary>
    /// Trains <paramref name="spec"/> with Adam for a while, then times epochs of <paramref name="batches"/> steps with
    /// every backend call timed where the trainer makes it, and prints the split; the rest of a step (gathering the
    /// batch, the loss, the optimizer) is the difference between the step and the backend operations.
    /// </summary>
    public static void ProfileTrainer(IComputeBackend backend, NetworkSpec spec, int batchSize, int batches)
    {
        ProfileTrainer(backend, spec, batchSize, batches, fuse: true);
        ProfileTrainer(backend, spec, batchSize, batches, fuse: false);
    }

    private static void ProfileTrainer(IComputeBackend backend, NetworkSpec spec, int batchSize, int batches, bool fuse)
    {
        var (features, targets) = RegressionData.Generate(batchSize * batches, spec.Inputs, seed: 1);
        var timing = new TimingBackend(backend, fuse);
        var trainer = new Trainer(Network.Create(spec, 7, timing), new TrainerSettings { Optimizer = OptimizerKind.Adam, BatchSize = batchSize, Epochs = 1, Seed = 11 });
        var warmUp = Stopwatch.StartNew();
        while (warmUp.ElapsedMilliseconds < 500)
        {
            trainer.TrainEpoch(features, targets, batchSize * batches);
        }

        timing._totals.Clear();
        int epochs = Math.Max(1, 200 / batches);
        long started = Stopwatch.GetTimestamp();
        for (int e = 0; e < epochs; e++)
        {
            trainer.TrainEpoch(features, targets, batchSize * batches);
        }

        int steps = epochs * batches;
        double stepMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds / steps;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"in the trainer ({(fuse ? "fused layer steps" : "bias, activation and row sums as separate operations")}): {stepMs:F4} ms/step, of which"));
        timing.Print(steps);
    }

    /// <summary>Milliseconds per step for each operation, largest first, and their sum.</summary>
    private void Print(int steps)
    {
        double sum = 0;
        foreach (var (name, (ms, calls)) in _totals.OrderByDescending(entry => entry.Value.Milliseconds))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-36} {ms / steps,8:F4} ms/step ({calls / steps} per step)"));
            sum += ms;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"backend operations",-36} {sum / steps,8:F4} ms/step"));
    }

    private void Add(string name, long start)
    {
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        _totals[name] = _totals.TryGetValue(name, out var total) ? (total.Milliseconds + ms, total.Calls + 1) : (ms, 1);
    }
}
