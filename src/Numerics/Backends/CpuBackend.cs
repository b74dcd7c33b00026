using System.Numerics.Tensors;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Backends;

/// <summary>The SIMD engine: packed GEMM micro-kernels plus TensorPrimitives / fused loops for element-wise work.</summary>
public sealed class CpuBackend : IComputeBackend
{
    /// <summary>A backend using <see cref="Gemm.DegreeOfParallelism"/> threads.</summary>
    public static CpuBackend Default { get; } = new(0);

    /// <summary>Creates a backend whose multiplies use <paramref name="degreeOfParallelism"/> threads (0: the global setting).</summary>
    public CpuBackend(int degreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degreeOfParallelism);
        DegreeOfParallelism = degreeOfParallelism;
    }

    /// <summary>Threads per multiply; 0 means <see cref="Gemm.DegreeOfParallelism"/>.</summary>
    public int DegreeOfParallelism { get; }

    /// <inheritdoc />
    public string Name => "cpu";

    /// <inheritdoc />
    public void MatMul(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
    {
        if (n == 1 && !transposeA && !accumulate)
        {
            // Matrix-vector (a single output unit): a dot product per row beats padding B to a whole sliver.
            for (int i = 0; i < m; i++)
            {
                c[i] = TensorPrimitives.Dot(a.Slice(i * k, k), b[..k]);
            }

            return;
        }

        Gemm.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, DegreeOfParallelism, Kernels.KernelSelection.Best);
    }

    /// <inheritdoc />
    public void AddBias(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * columns, columns);
            TensorPrimitives.Add(row, bias[..columns], row);
        }
    }

    /// <inheritdoc />
    public void SumRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums, bool accumulate)
    {
        var target = sums[..columns];
        if (!accumulate)
        {
            target.Clear();
        }

        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(target, matrix.Slice(r * columns, columns), target);
        }
    }

    /// <inheritdoc />
    public void Activate(Activation activation, ReadOnlySpan<float> preActivation, Span<float> activated) =>
        ActivationFunctions.Forward(activation, preActivation, activated);

    /// <inheritdoc />
    public void ActivationBackward(
        Activation activation, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> activated, ReadOnlySpan<float> gradOut, Span<float> gradPre) =>
        ActivationFunctions.Backward(activation, preActivation, activated, gradOut, gradPre);
}
