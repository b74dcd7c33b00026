using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Training;

/// <summary>
/// Mini-batch training of a <see cref="Network"/> in place. All scratch (batch rows, activations, gradients,
/// optimizer state) is allocated once here, so a training step allocates nothing. Deterministic: the same seed,
/// data and settings give bit-identical weights whatever the thread count (the GEMM never splits a dot product
/// between threads and every reduction runs in a fixed order).
/// </summary>
public sealed class Trainer
{
    private readonly Network _network;
    private readonly IComputeBackend _backend;
    private readonly Workspace _workspace;
    private readonly AlignedBuffer _gradients;
    private readonly float[] _batchTargets;
    private readonly Optimizer _optimizer;
    private int[] _order = [];

    /// <summary>Prepares to train <paramref name="network"/>; <paramref name="backend"/> defaults to the network's.</summary>
    public Trainer(Network network, TrainerSettings settings, IComputeBackend? backend = null)
    {
        settings.Validate();
        _network = network;
        Settings = settings;
        _backend = backend ?? network.Backend;
        _workspace = new Workspace(network, settings.BatchSize, withGradients: true);
        _gradients = new AlignedBuffer(network.ParameterCount);
        _batchTargets = new float[settings.BatchSize * network.Spec.Outputs];
        _optimizer = new Optimizer(settings, network.ParameterCount, _backend is CpuBackend cpu ? cpu.DegreeOfParallelism : 0);
    }

    /// <summary>The hyper-parameters.</summary>
    public TrainerSettings Settings { get; }

    /// <summary>The optimizer's state, to export after training or to continue from an earlier run's.</summary>
    public Optimizer Optimizer => _optimizer;

    /// <summary>Epochs completed by this trainer (continues across <see cref="Train"/> calls, so shuffles differ).</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>
    /// Trains for <see cref="TrainerSettings.Epochs"/> epochs on <paramref name="rows"/> rows of features
    /// (rows × Spec.Inputs, row-major) and targets (rows × Spec.Outputs); <paramref name="onEpoch"/> hears each
    /// epoch's mean loss.
    /// </summary>
    public TrainingReport Train(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, int rows, Action<int, float>? onEpoch = null)
    {
        CheckShapes(features, targets, rows);
        var started = Stopwatch.GetTimestamp();
        var losses = new List<float>(Settings.Epochs);
        for (int e = 0; e < Settings.Epochs; e++)
        {
            float loss = TrainEpoch(features, targets, rows);
            losses.Add(loss);
            onEpoch?.Invoke(EpochsCompleted - 1, loss);
        }

        return new TrainingReport(losses, (long)rows * Settings.Epochs, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>One pass over the data in a freshly shuffled order; returns the mean (per-row weighted) batch loss.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float TrainEpoch(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, int rows)
    {
        CheckShapes(features, targets, rows);
        PrepareOrder(rows, EpochsCompleted);
        double lossSum = 0;
        for (int start = 0; start < rows; start += Settings.BatchSize)
        {
            int count = Math.Min(Settings.BatchSize, rows - start);
            GatherBatch(features, targets, _order.AsSpan(start, count));
            float loss = ComputeGradients(_workspace.Input.AsSpan(0, count * _network.Spec.Inputs), _batchTargets, count, _gradients.Span);
            ClipGradients();
            _optimizer.Step(_network.Parameters, _gradients.Span);
            lossSum += (double)loss * count;
        }

        EpochsCompleted++;
        return rows == 0 ? 0 : (float)(lossSum / rows);
    }

    /// <summary>Mean loss over the rows without updating anything (e.g. a validation split).</summary>
    public float Evaluate(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, int rows)
    {
        CheckShapes(features, targets, rows);
        int inWidth = _network.Spec.Inputs;
        int outWidth = _network.Spec.Outputs;
        double lossSum = 0;
        for (int start = 0; start < rows; start += Settings.BatchSize)
        {
            int count = Math.Min(Settings.BatchSize, rows - start);
            var logits = _network.Forward(_backend, features.Slice(start * inWidth, count * inWidth), count, _workspace);
            lossSum += (double)Losses.Evaluate(Settings.Loss, logits, targets.Slice(start * outWidth, count * outWidth), count, outWidth, []) * count;
        }

        return rows == 0 ? 0 : (float)(lossSum / rows);
    }

    /// <summary>
    /// Forward and backward pass on one batch: writes d(loss)/d(parameters) into <paramref name="gradients"/>
    /// (flat, same layout as the parameters) and returns the batch loss. Gradient checks call this directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal float ComputeGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> batchTargets, int rows, Span<float> gradients)
    {
        var layers = _network.Layers;
        var parameters = _network.Parameters;
        int outWidth = _network.Spec.Outputs;
        var logits = _network.Forward(_backend, input, rows, _workspace);
        int last = layers.Count - 1;
        var outputGradient = _workspace.Grad[last].AsSpan(0, rows * outWidth);
        float loss = Losses.Evaluate(Settings.Loss, logits, batchTargets[..(rows * outWidth)], rows, outWidth, outputGradient);

        for (int l = last; l >= 0; l--)
        {
            var layer = layers[l];
            int size = rows * layer.Outputs;
            var gradPost = _workspace.Grad[l].AsSpan(0, size);
            var biasGradient = gradients.Slice(layer.BiasOffset, layer.Outputs);
            if (layer.Activation != Activation.Identity)
            {
                // dZ = dA ⊙ f'(Z), in place; db = column sums of dZ.
                _backend.ActivationBackwardAndSumRows(
                    layer.Activation, _workspace.Pre[l].AsSpan(0, size), _workspace.Post[l].AsSpan(0, size), gradPost, gradPost, biasGradient, rows, layer.Outputs);
            }
            else
            {
                _backend.SumRows(gradPost, rows, layer.Outputs, biasGradient, accumulate: false);
            }

            ReadOnlySpan<float> layerInput = l == 0 ? input : _workspace.Post[l - 1].AsSpan(0, rows * layer.Inputs);
            // dW = Xᵀ·dZ (inputs × outputs).
            _backend.MatMul(layerInput, gradPost, gradients.Slice(layer.WeightOffset, layer.Inputs * layer.Outputs), layer.Inputs, rows, layer.Outputs, true, false, false);
            if (l > 0)
            {
                // dX = dZ·Wᵀ becomes the previous layer's activation gradient.
                _backend.MatMul(gradPost, layer.Weights(parameters), _workspace.Grad[l - 1].AsSpan(0, rows * layer.Inputs), rows, layer.Outputs, layer.Inputs, false, true, false);
            }
        }

        return loss;
    }

    private void ClipGradients()
    {
        float limit = Settings.GradientClipNorm;
        if (limit <= 0)
        {
            return;
        }

        var gradients = _gradients.Span;
        float norm = TensorPrimitives.Norm(gradients);
        if (norm > limit)
        {
            TensorPrimitives.Multiply(gradients, limit / norm, gradients);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PrepareOrder(int rows, int epoch)
    {
        if (_order.Length != rows)
        {
            _order = new int[rows];
        }

        if (!Settings.Shuffle)
        {
            for (int i = 0; i < rows; i++)
            {
                _order[i] = i;
            }

            return;
        }

        // Fisher–Yates with a stream that depends only on (seed, epoch).
        BatchSampling.Shuffle(_order, new DeterministicRandom(Settings.Seed ^ (0x5DEECE66DUL * (ulong)(epoch + 1))));
    }

    private void GatherBatch(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, ReadOnlySpan<int> rowIndices) =>
        BatchSampling.Gather(features, _network.Spec.Inputs, targets, _network.Spec.Outputs, rowIndices, _workspace.Input.Span, _batchTargets);

    private void CheckShapes(ReadOnlySpan<float> features, ReadOnlySpan<float> targets, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (features.Length != (long)rows * _network.Spec.Inputs)
        {
            throw new ArgumentException($"Expected {rows}x{_network.Spec.Inputs} = {(long)rows * _network.Spec.Inputs} feature values, got {features.Length}.", nameof(features));
        }

        if (targets.Length != (long)rows * _network.Spec.Outputs)
        {
            throw new ArgumentException($"Expected {rows}x{_network.Spec.Outputs} = {(long)rows * _network.Spec.Outputs} target values, got {targets.Length}.", nameof(targets));
        }
    }
}
