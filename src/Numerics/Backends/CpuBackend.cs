using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Pipeline.Numerics.Kernels;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MatMul(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate)
    {
        // The thin paths work on pointers: check the operands here, as Gemm.Run does for the rest.
        Gemm.CheckOperands(a.Length, b.Length, c.Length, m, k, n);
        if (!accumulate && TryThinShape(a, b, c, m, k, n, transposeA, transposeB))
        {
            return;
        }

        Gemm.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, DegreeOfParallelism, KernelSelection.Best);
    }

    /// <summary>
    /// Products with a single output column or a single inner index (the output layer of a regression network)
    /// run as dot products / scaled row copies: padding them to a whole micro-kernel sliver would waste up to 32x
    /// the work. Each is a fixed-order loop, so determinism is unaffected.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool TryThinShape(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool transposeA, bool transposeB)
    {
        bool simd = SmallGemm.IsSupported;
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (n == 1 && !transposeA)
            {
                // c[i] = A[i,:]·b (B is k×1 or, transposed, 1×k: the same memory).
                if (simd)
                {
                    SmallGemm.RowDots(pa, pb, pc, m, k);
                    return true;
                }

                for (int i = 0; i < m; i++)
                {
                    c[i] = TensorPrimitives.Dot(a.Slice(i * k, k), b[..k]);
                }

                return true;
            }

            if (n == 1)
            {
                // c = Σ_p b[p]·Aᵀ[p,:], A stored k×m: accumulate whole rows in order.
                if (simd)
                {
                    SmallGemm.WeightedRowSum(pa, pb, pc, m, k);
                    return true;
                }

                var target = c[..m];
                target.Clear();
                for (int p = 0; p < k; p++)
                {
                    TensorPrimitives.MultiplyAdd(a.Slice(p * m, m), b[p], target, target);
                }

                return true;
            }

            if (simd && !transposeA && !transposeB && SmallGemm.FitsShallow(k, n))
            {
                SmallGemm.Shallow(pa, pb, pc, m, k, n);
                return true;
            }

            if (simd && transposeA && !transposeB && SmallGemm.FitsFewRows(m, n))
            {
                SmallGemm.FewRowsTransposed(pa, pb, pc, m, k, n);
                return true;
            }

            if (k == 1)
            {
                // Outer product: c[i,:] = a[i]·b (A is m×1 or 1×m, B is 1×n or n×1: the same memory either way).
                if (simd)
                {
                    SmallGemm.Outer(pa, pb, pc, m, n);
                    return true;
                }

                for (int i = 0; i < m; i++)
                {
                    TensorPrimitives.Multiply(b[..n], a[i], c.Slice(i * n, n));
                }

                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddBias(Span<float> matrix, ReadOnlySpan<float> bias, int rows, int columns)
    {
        if (columns == 1)
        {
            TensorPrimitives.Add(matrix[..rows], bias[0], matrix[..rows]);
            return;
        }

        // One fused loop instead of a TensorPrimitives call per row: at the seed shapes (64 columns) the per-call
        // overhead cost more than the additions.
        var b = bias[..columns];
        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * columns, columns);
            int j = 0;
            for (; j <= columns - Vector<float>.Count; j += Vector<float>.Count)
            {
                (new Vector<float>(row[j..]) + new Vector<float>(b[j..])).CopyTo(row[j..]);
            }

            for (; j < columns; j++)
            {
                row[j] += b[j];
            }
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SumRows(ReadOnlySpan<float> matrix, int rows, int columns, Span<float> sums, bool accumulate)
    {
        var target = sums[..columns];
        if (!accumulate)
        {
            target.Clear();
        }

        if (columns == 1)
        {
            float total = target[0];
            for (int r = 0; r < rows; r++)
            {
                total += matrix[r];
            }

            target[0] = total;
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            var row = matrix.Slice(r * columns, columns);
            int j = 0;
            for (; j <= columns - Vector<float>.Count; j += Vector<float>.Count)
            {
                (new Vector<float>(target[j..]) + new Vector<float>(row[j..])).CopyTo(target[j..]);
            }

            for (; j < columns; j++)
            {
                target[j] += row[j];
            }
        }
    }

    /// <summary>
    /// Relu and leaky relu in one loop (<see cref="FusedLayerSteps"/>); other activations as both passes over one
    /// block of rows at a time, about 16 KiB of each matrix, so the second pass finds the rows in L1 instead of
    /// streaming the whole matrix from L2 or L3 again. Same values as the two operations one after the other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void AddBiasAndActivate(Activation activation, Span<float> preActivation, ReadOnlySpan<float> bias, Span<float> activated, int rows, int columns)
    {
        if (activation == Activation.Identity)
        {
            AddBias(preActivation, bias, rows, columns);
            return;
        }

        int total = checked(rows * columns);
        if (activation is Activation.Relu or Activation.LeakyRelu)
        {
            fixed (float* z = preActivation[..total], b = bias[..columns], a = activated[..total])
            {
                FusedLayerSteps.AddBiasRectify(z, b, a, rows, columns, leaky: activation == Activation.LeakyRelu);
            }

            return;
        }

        int blockRows = RowsPerBlock(columns);
        for (int r = 0; r < rows; r += blockRows)
        {
            int count = Math.Min(blockRows, rows - r);
            var pre = preActivation.Slice(r * columns, count * columns);
            AddBias(pre, bias, count, columns);
            ActivationFunctions.Forward(activation, pre, activated.Slice(r * columns, count * columns));
        }
    }

    /// <summary>
    /// Relu and leaky relu in one loop; other activations as both passes over one block of rows at a time (see
    /// <see cref="AddBiasAndActivate"/>). The bias gradient adds the rows in order onto a cleared sum, exactly as
    /// one <see cref="SumRows"/> over the whole matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void ActivationBackwardAndSumRows(
        Activation activation,
        ReadOnlySpan<float> preActivation,
        ReadOnlySpan<float> activated,
        ReadOnlySpan<float> gradOut,
        Span<float> gradPre,
        Span<float> biasGradient,
        int rows,
        int columns)
    {
        int total = checked(rows * columns);
        if (activation is Activation.Relu or Activation.LeakyRelu)
        {
            fixed (float* z = preActivation[..total], g = gradOut[..total], d = gradPre[..total], sums = biasGradient[..columns])
            {
                FusedLayerSteps.RectifyBackwardSumRows(z, g, d, sums, rows, columns, activation == Activation.LeakyRelu ? ActivationFunctions.LeakySlope : 0f);
            }

            return;
        }

        int blockRows = RowsPerBlock(columns);
        for (int r = 0; r < rows; r += blockRows)
        {
            int count = Math.Min(blockRows, rows - r);
            int start = r * columns;
            int size = count * columns;
            var grad = gradPre.Slice(start, size);
            ActivationFunctions.Backward(activation, preActivation.Slice(start, size), activated.Slice(start, size), gradOut.Slice(start, size), grad);
            SumRows(grad, count, columns, biasGradient, accumulate: r > 0);
        }
    }

    /// <summary>Rows in a block of about 16 KiB per matrix (three matrices of that fit L1 together); at least one.</summary>
    private static int RowsPerBlock(int columns) => Math.Max(1, 16 * 1024 / sizeof(float) / Math.Max(1, columns));

    /// <inheritdoc />
    public void Activate(Activation activation, ReadOnlySpan<float> preActivation, Span<float> activated) =>
        ActivationFunctions.Forward(activation, preActivation, activated);

    /// <inheritdoc />
    public void ActivationBackward(
        Activation activation, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> activated, ReadOnlySpan<float> gradOut, Span<float> gradPre) =>
        ActivationFunctions.Backward(activation, preActivation, activated, gradOut, gradPre);
}
