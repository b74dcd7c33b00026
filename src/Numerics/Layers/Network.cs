using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Pipeline.Numerics.Backends;

namespace Pipeline.Numerics.Layers;

/// <summary>
/// A fully connected network with all parameters in one flat vector (layer by layer: W row-major, then b).
/// <see cref="Predict"/> is thread-safe as long as nobody writes the parameters at the same time.
/// </summary>
public sealed class Network
{
    /// <summary>Rows predicted per forward pass; bounds the scratch memory of a large predict call.</summary>
    private const int PredictChunk = 1024;

    private readonly AlignedBuffer _parameters;
    private readonly Stack<Workspace> _predictWorkspaces = new();

    private Network(NetworkSpec spec, AlignedBuffer parameters, IComputeBackend backend)
    {
        Spec = spec;
        _parameters = parameters;
        Backend = backend;
        var sizes = spec.LayerSizes();
        var layers = new DenseLayer[sizes.Length - 1];
        int offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            var activation = l == layers.Length - 1 ? Activation.Identity : spec.HiddenActivation;
            layers[l] = new DenseLayer(sizes[l], sizes[l + 1], activation, offset);
            offset += layers[l].ParameterCount;
        }

        Layers = layers;
    }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The layers, input side first; the last is linear (its outputs are logits for classification).</summary>
    public IReadOnlyList<DenseLayer> Layers { get; }

    /// <summary>Where forward passes run (default: the SIMD CPU engine).</summary>
    public IComputeBackend Backend { get; set; }

    /// <summary>Number of parameters (all weights and biases).</summary>
    public int ParameterCount => _parameters.Length;

    /// <summary>
    /// All parameters as one flat span, writable in place (federated averaging reads and sets it). Layout:
    /// for each layer, W (inputs × outputs, row-major) then b.
    /// </summary>
    public Span<float> Parameters => _parameters.Span;

    /// <summary>
    /// A new network with parameters drawn from <paramref name="seed"/> as <paramref name="initialisation"/> says
    /// (by default Glorot-uniform weights and zero biases, see <see cref="WeightInitialisation.Auto"/>).
    /// </summary>
    public static Network Create(
        NetworkSpec spec, ulong seed, IComputeBackend? backend = null, WeightInitialisation initialisation = WeightInitialisation.Auto)
    {
        var network = new Network(spec, new AlignedBuffer(spec.ParameterCount()), backend ?? CpuBackend.Default);
        var random = new DeterministicRandom(seed);
        var rule = initialisation == WeightInitialisation.Auto ? WeightInitialisation.Glorot : initialisation;
        foreach (var layer in network.Layers)
        {
            float limit = rule switch
            {
                WeightInitialisation.He => MathF.Sqrt(6f / layer.Inputs),
                WeightInitialisation.Glorot => MathF.Sqrt(6f / (layer.Inputs + layer.Outputs)),
                WeightInitialisation.FanIn => 1f / MathF.Sqrt(layer.Inputs),
                _ => throw new ArgumentOutOfRangeException(nameof(initialisation), initialisation, "Unknown weight initialisation."),
            };
            int weightCount = layer.Inputs * layer.Outputs;
            int drawn = rule == WeightInitialisation.FanIn ? weightCount + layer.Outputs : weightCount;
            var parameters = network._parameters.AsSpan(layer.WeightOffset, drawn);
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = ((2f * random.NextFloat()) - 1f) * limit;
            }
        }

        return network;
    }

    /// <summary>A network of the given architecture holding a copy of <paramref name="parameters"/>.</summary>
    public static Network FromParameters(NetworkSpec spec, ReadOnlySpan<float> parameters, IComputeBackend? backend = null)
    {
        if (parameters.Length != spec.ParameterCount())
        {
            throw new ArgumentException($"{spec} has {spec.ParameterCount()} parameters, got {parameters.Length}.", nameof(parameters));
        }

        var buffer = new AlignedBuffer(parameters.Length);
        parameters.CopyTo(buffer.Span);
        return new Network(spec, buffer, backend ?? CpuBackend.Default);
    }

    /// <summary>A deep copy (same architecture, own parameters).</summary>
    public Network Clone() => FromParameters(Spec, _parameters.Span, Backend);

    /// <summary>Overwrites all parameters (the span must be exactly <see cref="ParameterCount"/> long).</summary>
    public void SetParameters(ReadOnlySpan<float> parameters)
    {
        if (parameters.Length != _parameters.Length)
        {
            throw new ArgumentException($"Expected {_parameters.Length} parameters, got {parameters.Length}.", nameof(parameters));
        }

        parameters.CopyTo(_parameters.Span);
    }

    /// <summary>
    /// Predicts <paramref name="rows"/> rows of <c>Spec.Inputs</c> features (row-major) into
    /// <paramref name="outputs"/> (rows × <c>Spec.Outputs</c>): raw values, sigmoid probabilities or softmax
    /// distributions according to <see cref="NetworkSpec.OutputKind"/>. Thread-safe; scratch is pooled.
    /// </summary>
    public void Predict(ReadOnlySpan<float> inputs, int rows, Span<float> outputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int inWidth = Spec.Inputs;
        int outWidth = Spec.Outputs;
        if (inputs.Length < (long)rows * inWidth)
        {
            throw new ArgumentException($"{rows} rows of {inWidth} features need {(long)rows * inWidth} values, got {inputs.Length}.", nameof(inputs));
        }

        if (outputs.Length < (long)rows * outWidth)
        {
            throw new ArgumentException($"{rows} rows of {outWidth} outputs need {(long)rows * outWidth} values, got {outputs.Length}.", nameof(outputs));
        }

        var workspace = RentPredictWorkspace();
        try
        {
            for (int start = 0; start < rows; start += PredictChunk)
            {
                int count = Math.Min(PredictChunk, rows - start);
                var logits = Forward(Backend, inputs.Slice(start * inWidth, count * inWidth), count, workspace);
                var destination = outputs.Slice(start * outWidth, count * outWidth);
                ApplyOutputTransform(logits, destination, count);
            }
        }
        finally
        {
            lock (_predictWorkspaces)
            {
                _predictWorkspaces.Push(workspace);
            }
        }
    }

    /// <summary>
    /// Runs the layers on <paramref name="rows"/> input rows; returns the output layer's values (logits), which
    /// live in the workspace. Every layer's Z and A stay in the workspace for the backward pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal ReadOnlySpan<float> Forward(IComputeBackend backend, ReadOnlySpan<float> input, int rows, Workspace workspace)
    {
        ReadOnlySpan<float> previous = input;
        for (int l = 0; l < Layers.Count; l++)
        {
            var layer = Layers[l];
            var pre = workspace.Pre[l].AsSpan(0, rows * layer.Outputs);
            backend.MatMul(previous, layer.Weights(_parameters.Span), pre, rows, layer.Inputs, layer.Outputs, false, false, accumulate: false);
            var post = workspace.Post[l].AsSpan(0, rows * layer.Outputs);
            backend.AddBiasAndActivate(layer.Activation, pre, layer.Bias(_parameters.Span), post, rows, layer.Outputs);
            previous = post;
        }

        return previous;
    }

    private void ApplyOutputTransform(ReadOnlySpan<float> logits, Span<float> destination, int rows)
    {
        switch (Spec.OutputKind)
        {
            case OutputKind.BinaryClassification:
                TensorPrimitives.Sigmoid(logits, destination);
                break;
            case OutputKind.MulticlassClassification:
                for (int r = 0; r < rows; r++)
                {
                    StableSoftMax(logits.Slice(r * Spec.Outputs, Spec.Outputs), destination.Slice(r * Spec.Outputs, Spec.Outputs));
                }

                break;
            default:
                logits.CopyTo(destination);
                break;
        }
    }

    /// <summary>
    /// Softmax of one row with its largest logit subtracted first: TensorPrimitives.SoftMax exponentiates the logits
    /// as they are, so a confident network's logits above ~88 overflow to infinity and the answer becomes NaN (a
    /// model trained to near-zero loss on separable data, measured on penguins). A row with infinite logits shares the
    /// probability among them.
    /// </summary>
    internal static void StableSoftMax(ReadOnlySpan<float> logits, Span<float> destination)
    {
        var max = TensorPrimitives.Max(logits);
        if (float.IsPositiveInfinity(max))
        {
            var top = logits.Count(max);
            for (var c = 0; c < logits.Length; c++)
            {
                destination[c] = logits[c] == max ? 1f / top : 0f;
            }

            return;
        }

        TensorPrimitives.Subtract(logits, max, destination);
        TensorPrimitives.Exp(destination, destination);
        TensorPrimitives.Divide(destination, TensorPrimitives.Sum<float>(destination), destination);
    }

    private Workspace RentPredictWorkspace()
    {
        lock (_predictWorkspaces)
        {
            if (_predictWorkspaces.TryPop(out var workspace))
            {
                return workspace;
            }
        }

        return new Workspace(this, PredictChunk, withGradients: false);
    }
}
