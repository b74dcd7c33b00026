using Pipeline.Numerics.Kernels;

namespace Pipeline.Numerics;

/// <summary>
/// Single-precision matrix multiply on row-major spans, in the three shapes training needs. Each call computes
/// C = op(A)·op(B), or C += op(A)·op(B) when <c>accumulate</c> is true. Multi-threaded over blocks of C for large
/// products; the result is bit-identical for every degree of parallelism.
/// </summary>
public static class Gemm
{
    private static int s_degreeOfParallelism = Environment.ProcessorCount;

    /// <summary>
    /// Threads a multiply may use when the caller does not say (default: <see cref="Environment.ProcessorCount"/>).
    /// </summary>
    public static int DegreeOfParallelism
    {
        get => Volatile.Read(ref s_degreeOfParallelism);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_degreeOfParallelism, value);
        }
    }

    /// <summary>C[m×n] (+)= A[m×k] · B[k×n].</summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false, int degreeOfParallelism = 0) =>
        Run(a, b, c, m, k, n, transposeA: false, transposeB: false, accumulate, degreeOfParallelism, KernelSelection.Best);

    /// <summary>C[m×n] (+)= A[m×k] · Bᵀ, where B is stored row-major as n×k.</summary>
    public static void MultiplyTransposeB(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false, int degreeOfParallelism = 0) =>
        Run(a, b, c, m, k, n, transposeA: false, transposeB: true, accumulate, degreeOfParallelism, KernelSelection.Best);

    /// <summary>C[m×n] (+)= Aᵀ · B[k×n], where A is stored row-major as k×m.</summary>
    public static void MultiplyTransposeA(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate = false, int degreeOfParallelism = 0) =>
        Run(a, b, c, m, k, n, transposeA: true, transposeB: false, accumulate, degreeOfParallelism, KernelSelection.Best);

    /// <summary>Throws unless the shape is non-negative and A, B and C hold m×k, k×n and m×n elements.</summary>
    internal static void CheckOperands(int aLength, int bLength, int cLength, int m, int k, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if ((long)m * k > aLength)
        {
            throw new ArgumentException($"A needs {(long)m * k} elements for {m}x{k} but has {aLength}.", "a");
        }

        if ((long)k * n > bLength)
        {
            throw new ArgumentException($"B needs {(long)k * n} elements for {k}x{n} but has {bLength}.", "b");
        }

        if ((long)m * n > cLength)
        {
            throw new ArgumentException($"C needs {(long)m * n} elements for {m}x{n} but has {cLength}.", "c");
        }
    }

    /// <summary>
    /// The general entry point: C[m×n] (+)= op(A)·op(B) with an explicit micro-kernel (tests and benchmarks use it
    /// to exercise every kernel the machine supports). <paramref name="degreeOfParallelism"/> 0 means
    /// <see cref="DegreeOfParallelism"/>.
    /// </summary>
    public static unsafe void Run(
        ReadOnlySpan<float> a,
        ReadOnlySpan<float> b,
        Span<float> c,
        int m,
        int k,
        int n,
        bool transposeA,
        bool transposeB,
        bool accumulate,
        int degreeOfParallelism,
        KernelKind kernel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degreeOfParallelism);
        CheckOperands(a.Length, b.Length, c.Length, m, k, n);
        int threads = degreeOfParallelism == 0 ? DegreeOfParallelism : degreeOfParallelism;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            // op(A)(i, p): A is m×k (row stride k) or, transposed, stored k×m (element (i,p) at p*m + i).
            var viewA = transposeA ? new StridedMatrix(pa, 1, m) : new StridedMatrix(pa, k, 1);
            // op(B)(p, j): B is k×n (row stride n) or, transposed, stored n×k (element (p,j) at j*k + p).
            var viewB = transposeB ? new StridedMatrix(pb, 1, k) : new StridedMatrix(pb, n, 1);
            GemmDriver.Multiply(kernel, viewA, viewB, pc, m, k, n, accumulate, threads);
        }
    }
}
