using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// Unpacked AVX-512 paths for the tiny products of narrow networks (the seed MLP's 5 inputs): at a depth of 5,
/// or with 5 output rows, packing costs more than the multiply itself. Each runs in one fixed order on the
/// calling thread, so results are deterministic.
/// </summary>
internal static unsafe class SmallGemm
{
    private const int Width = 16;

    /// <summary>C[m×n] = A[m×k]·B[k×n] for small k and n a multiple of 16: B stays in L1, no packing.</summary>
    public static bool TryShallow(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        if (!Vector512.IsHardwareAccelerated || k > 16 || n % Width != 0 || n > 256)
        {
            return false;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Shallow(pa, pb, pc, m, k, n);
        }

        return true;
    }

    /// <summary>C[m×n] = Aᵀ·B with A stored k×m, for a handful of rows m and n a multiple of 16 (C stays in L1).</summary>
    public static bool TryFewRowsTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        if (!Vector512.IsHardwareAccelerated || m > 8 || n % Width != 0 || n > 256)
        {
            return false;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            FewRowsTransposed(pa, pb, pc, m, k, n);
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Shallow(float* a, float* b, float* c, int m, int k, int n)
    {
        for (int i = 0; i < m; i++)
        {
            float* row = a + ((long)i * k);
            float* output = c + ((long)i * n);
            for (int j = 0; j < n; j += Width)
            {
                var sum = Vector512<float>.Zero;
                for (int p = 0; p < k; p++)
                {
                    sum = Vector512.FusedMultiplyAdd(Vector512.Create(row[p]), Vector512.Load(b + ((long)p * n) + j), sum);
                }

                Vector512.Store(sum, output + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FewRowsTransposed(float* a, float* b, float* c, int m, int k, int n)
    {
        new Span<float>(c, m * n).Clear();
        for (int p = 0; p < k; p++)
        {
            float* bRow = b + ((long)p * n);
            float* aRow = a + ((long)p * m);
            for (int i = 0; i < m; i++)
            {
                var factor = Vector512.Create(aRow[i]);
                float* output = c + ((long)i * n);
                for (int j = 0; j < n; j += Width)
                {
                    Vector512.Store(Vector512.FusedMultiplyAdd(factor, Vector512.Load(bRow + j), Vector512.Load(output + j)), output + j);
                }
            }
        }
    }
}
