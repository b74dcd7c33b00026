using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Backends;

/// <summary>
/// The operations a dense network's forward and backward passes are made of. Layers call only these, so the
/// same network trains on the scalar reference, the SIMD CPU engine or an ILGPU device. Buffers are host spans;
/// losses and optimizer steps run on the host for every backend.
/// </summary>
public interface IComputeBackend
{
    /// <summary>Short name: "reference", "cpu", "cuda", "ilgpu-cpu".</summary>
    string Name { get; }

    /// <summary>C[m×n] (+)= op(A)·op(B); op transposes A (stored k×m) or B (stored n×k) when asked.</summary>
    void MatMul(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate);

    /// <summary>matrix[r, j] += bias[j] for every row r.</summary>
    void AddBias(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns);

    /// <summary>sums[j] (+)= Σ_r matrix[r, j] (the bias gradient), rows summed in order.</summary>
    void SumRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums, bool accumulate);

    /// <summary>activated = f(preActivation), element-wise.</summary>
    void Activate(Activation activation, ReadOnlySpan<float> preActivation, Span<float> activated);

    /// <summary>gradPre = gradOut ⊙ f'(preActivation) (activated = f(preActivation) is given too).</summary>
    void ActivationBackward(
        Activation activation, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> activated, ReadOnlySpan<float> gradOut, Span<float> gradPre);

    /// <summary>
    /// A layer's forward pass after its product: preActivation[r, j] += bias[j], then activated = f(preActivation)
    /// (nothing is written to <paramref name="activated"/> for <see cref="Activation.Identity"/>). The same values as
    /// <see cref="AddBias"/> followed by <see cref="Activate"/>; a backend may fuse the two passes.
    /// </summary>
    void AddBiasAndActivate(Activation activation, Span<float> preActivation, ReadOnlySpan<float> bias, Span<float> activated, int rows, int columns)
    {
        AddBias(preActivation, bias, rows, columns);
        if (activation != Activation.Identity)
        {
            Activate(activation, preActivation[..(rows * columns)], activated);
        }
    }

    /// <summary>
    /// A layer's backward pass before its products: gradPre = gradOut ⊙ f'(preActivation), then biasGradient[j] =
    /// Σ_r gradPre[r, j] (rows summed in order). The same values as <see cref="ActivationBackward"/> followed by
    /// <see cref="SumRows"/>; a backend may fuse the two passes.
    /// </summary>
    void ActivationBackwardAndSumRows(
        Activation activation,
        ReadOnlySpan<float> preActivation,
        ReadOnlySpan<float> activated,
        ReadOnlySpan<float> gradOut,
        Span<float> gradPre,
        Span<float> biasGradient,
        int rows,
        int columns)
    {
        int size = rows * columns;
        ActivationBackward(activation, preActivation[..size], activated[..size], gradOut[..size], gradPre[..size]);
        SumRows(gradPre, rows, columns, biasGradient, accumulate: false);
    }
}
