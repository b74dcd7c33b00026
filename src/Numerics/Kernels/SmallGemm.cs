using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// Unpacked AVX-512 paths for the tiny products of narrow networks (the seed MLP's 5 inputs and single output):
/// at a depth of 5, with 5 output rows or a single output column, packing costs more than the multiply itself. Each
/// runs in one fixed order on the calling thread, so results are deterministic. Callers check the operands' lengths
/// and pin them (<see cref="Backends.CpuBackend"/>).
/// </summary>
internal static unsafe class SmallGemm
{
    private const int Width = 16;

    /// <summary>Whether these paths run on this machine (AVX-512 only: callers fall back to their general paths).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>Whether <see cref="Shallow"/> takes this shape: small k, n a multiple of 16 (B stays in L1, no packing).</summary>
    public static bool FitsShallow(int k, int n) => k <= 16 && n % Width == 0 && n <= 256;

    /// <summary>Whether <see cref="FewRowsTransposed"/> takes this shape: a handful of rows, n a multiple of 16 (C stays in L1).</summary>
    public static bool FitsFewRows(int m, int n) => m <= 8 && n % Width == 0 && n <= 256;

    /// <summary>
    /// c[i] = Σ_p A[i, p]·b[p] for row-major A (m×k), a single-output layer's forward pass: four rows at a time, one
    /// accumulator each (four independent chains sharing every load of b), then a horizontal sum and the k % 16
    /// tail in order. A fixed order per row: deterministic.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RowDots(float* a, float* b, float* c, int m, int k)
    {
        int whole = k / Width * Width;
        int i = 0;
        for (; i <= m - 4; i += 4)
        {
            float* r0 = a + ((long)i * k);
            float* r1 = r0 + k;
            float* r2 = r1 + k;
            float* r3 = r2 + k;
            var s0 = Vector512<float>.Zero; var s1 = Vector512<float>.Zero; var s2 = Vector512<float>.Zero; var s3 = Vector512<float>.Zero;
            for (int p = 0; p < whole; p += Width)
            {
                var bp = Vector512.Load(b + p);
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(r0 + p), bp, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(r1 + p), bp, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(r2 + p), bp, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(r3 + p), bp, s3);
            }

            c[i] = Tail(r0, b, whole, k, Vector512.Sum(s0));
            c[i + 1] = Tail(r1, b, whole, k, Vector512.Sum(s1));
            c[i + 2] = Tail(r2, b, whole, k, Vector512.Sum(s2));
            c[i + 3] = Tail(r3, b, whole, k, Vector512.Sum(s3));
        }

        for (; i < m; i++)
        {
            float* row = a + ((long)i * k);
            var sum = Vector512<float>.Zero;
            for (int p = 0; p < whole; p += Width)
            {
                sum = Vector512.FusedMultiplyAdd(Vector512.Load(row + p), Vector512.Load(b + p), sum);
            }

            c[i] = Tail(row, b, whole, k, Vector512.Sum(sum));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(float* row, float* b, int from, int k, float sum)
    {
        for (int p = from; p < k; p++)
        {
            sum = MathF.FusedMultiplyAdd(row[p], b[p], sum);
        }

        return sum;
    }

    /// <summary>
    /// c[i] = Σ_p b[p]·A[p, i] for A stored k×m (a single-output layer's weight gradient): 64 outputs (four registers)
    /// at a time over the whole k loop, then 16, then single columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void WeightedRowSum(float* a, float* b, float* c, int m, int k)
    {
        int i = 0;
        for (; i <= m - (4 * Width); i += 4 * Width)
        {
            ScaledRowsIntoFourVectors(b, 1, a + i, m, k, c + i);
        }

        for (; i <= m - Width; i += Width)
        {
            Vector512.Store(ScaledRowsIntoOneVector(b, 1, a + i, m, k), c + i);
        }

        for (; i < m; i++)
        {
            float sum = 0;
            for (int p = 0; p < k; p++)
            {
                sum = MathF.FusedMultiplyAdd(b[p], a[((long)p * m) + i], sum);
            }

            c[i] = sum;
        }
    }

    /// <summary>
    /// c[i, j] = a[i]·b[j] (m×n, the input gradient of a single-output layer): one multiply per element, a row at a
    /// time; the same values as scaling b by each a[i].
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Outer(float* a, float* b, float* c, int m, int n)
    {
        int whole = n / Width * Width;
        for (int i = 0; i < m; i++)
        {
            float* row = c + ((long)i * n);
            float factor = a[i];
            var f = Vector512.Create(factor);
            for (int j = 0; j < whole; j += Width)
            {
                Vector512.Store(Vector512.Load(b + j) * f, row + j);
            }

            for (int j = whole; j < n; j++)
            {
                row[j] = b[j] * factor;
            }
        }
    }

    /// <summary>
    /// Two rows of C at a time, 64 columns (four vectors) at a time: eight independent accumulator chains keep both
    /// FMA ports busy where one chain per output vector waited on its own latency (the seed's 256×5×64 forward:
    /// 5.1 -> 2.2 µs in profile-seed's training step). Every element is still the sum over p in order, starting
    /// from zero, so the values do not depend on the blocking.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Shallow(float* a, float* b, float* c, int m, int k, int n)
    {
        int i = 0;
        for (; i <= m - 2; i += 2)
        {
            float* row0 = a + ((long)i * k);
            float* row1 = row0 + k;
            float* out0 = c + ((long)i * n);
            float* out1 = out0 + n;
            int j = 0;
            for (; j <= n - (4 * Width); j += 4 * Width)
            {
                var s00 = Vector512<float>.Zero; var s01 = Vector512<float>.Zero; var s02 = Vector512<float>.Zero; var s03 = Vector512<float>.Zero;
                var s10 = Vector512<float>.Zero; var s11 = Vector512<float>.Zero; var s12 = Vector512<float>.Zero; var s13 = Vector512<float>.Zero;
                for (int p = 0; p < k; p++)
                {
                    float* bRow = b + ((long)p * n) + j;
                    var b0 = Vector512.Load(bRow);
                    var b1 = Vector512.Load(bRow + Width);
                    var b2 = Vector512.Load(bRow + (2 * Width));
                    var b3 = Vector512.Load(bRow + (3 * Width));
                    var a0 = Vector512.Create(row0[p]);
                    var a1 = Vector512.Create(row1[p]);
                    s00 = Vector512.FusedMultiplyAdd(a0, b0, s00); s01 = Vector512.FusedMultiplyAdd(a0, b1, s01);
                    s02 = Vector512.FusedMultiplyAdd(a0, b2, s02); s03 = Vector512.FusedMultiplyAdd(a0, b3, s03);
                    s10 = Vector512.FusedMultiplyAdd(a1, b0, s10); s11 = Vector512.FusedMultiplyAdd(a1, b1, s11);
                    s12 = Vector512.FusedMultiplyAdd(a1, b2, s12); s13 = Vector512.FusedMultiplyAdd(a1, b3, s13);
                }

                Vector512.Store(s00, out0 + j); Vector512.Store(s01, out0 + j + Width);
                Vector512.Store(s02, out0 + j + (2 * Width)); Vector512.Store(s03, out0 + j + (3 * Width));
                Vector512.Store(s10, out1 + j); Vector512.Store(s11, out1 + j + Width);
                Vector512.Store(s12, out1 + j + (2 * Width)); Vector512.Store(s13, out1 + j + (3 * Width));
            }

            for (; j < n; j += Width)
            {
                var s0 = Vector512<float>.Zero;
                var s1 = Vector512<float>.Zero;
                for (int p = 0; p < k; p++)
                {
                    var bp = Vector512.Load(b + ((long)p * n) + j);
                    s0 = Vector512.FusedMultiplyAdd(Vector512.Create(row0[p]), bp, s0);
                    s1 = Vector512.FusedMultiplyAdd(Vector512.Create(row1[p]), bp, s1);
                }

                Vector512.Store(s0, out0 + j);
                Vector512.Store(s1, out1 + j);
            }
        }

        for (; i < m; i++)
        {
            float* row = a + ((long)i * k);
            float* output = c + ((long)i * n);
            for (int j = 0; j < n; j += Width)
            {
                Vector512.Store(ScaledRowsIntoOneVector(row, 1, b + j, n, k), output + j);
            }
        }
    }

    /// <summary>
    /// Four rows of C by 64 columns held in sixteen registers for the whole k loop, instead of every step loading
    /// and storing C (each update waited on the previous one through memory; the seed's 5×256×64 weight gradient:
    /// 4.5 -> 2.1 µs in profile-seed's training step). Each element is the sum over p in
    /// order from zero, as before: the blocking does not change the values.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void FewRowsTransposed(float* a, float* b, float* c, int m, int k, int n)
    {
        int j = 0;
        for (; j <= n - (4 * Width); j += 4 * Width)
        {
            int i = 0;
            for (; i <= m - 4; i += 4)
            {
                FourRowsByFourVectors(a + i, m, b + j, n, k, c + ((long)i * n) + j);
            }

            for (; i < m; i++)
            {
                ScaledRowsIntoFourVectors(a + i, m, b + j, n, k, c + ((long)i * n) + j);
            }
        }

        for (; j < n; j += Width)
        {
            for (int i = 0; i < m; i++)
            {
                Vector512.Store(ScaledRowsIntoOneVector(a + i, m, b + j, n, k), c + ((long)i * n) + j);
            }
        }
    }

    /// <summary>C[0..4, 0..64] = Σ_p A[p, 0..4]ᵀ · B[p, 0..64], A column p at a + p·lda.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRowsByFourVectors(float* a, int lda, float* b, int ldb, int k, float* c)
    {
        var s00 = Vector512<float>.Zero; var s01 = Vector512<float>.Zero; var s02 = Vector512<float>.Zero; var s03 = Vector512<float>.Zero;
        var s10 = Vector512<float>.Zero; var s11 = Vector512<float>.Zero; var s12 = Vector512<float>.Zero; var s13 = Vector512<float>.Zero;
        var s20 = Vector512<float>.Zero; var s21 = Vector512<float>.Zero; var s22 = Vector512<float>.Zero; var s23 = Vector512<float>.Zero;
        var s30 = Vector512<float>.Zero; var s31 = Vector512<float>.Zero; var s32 = Vector512<float>.Zero; var s33 = Vector512<float>.Zero;
        for (int p = 0; p < k; p++)
        {
            float* bRow = b + ((long)p * ldb);
            float* aRow = a + ((long)p * lda);
            var b0 = Vector512.Load(bRow);
            var b1 = Vector512.Load(bRow + Width);
            var b2 = Vector512.Load(bRow + (2 * Width));
            var b3 = Vector512.Load(bRow + (3 * Width));
            var f = Vector512.Create(aRow[0]);
            s00 = Vector512.FusedMultiplyAdd(f, b0, s00); s01 = Vector512.FusedMultiplyAdd(f, b1, s01);
            s02 = Vector512.FusedMultiplyAdd(f, b2, s02); s03 = Vector512.FusedMultiplyAdd(f, b3, s03);
            f = Vector512.Create(aRow[1]);
            s10 = Vector512.FusedMultiplyAdd(f, b0, s10); s11 = Vector512.FusedMultiplyAdd(f, b1, s11);
            s12 = Vector512.FusedMultiplyAdd(f, b2, s12); s13 = Vector512.FusedMultiplyAdd(f, b3, s13);
            f = Vector512.Create(aRow[2]);
            s20 = Vector512.FusedMultiplyAdd(f, b0, s20); s21 = Vector512.FusedMultiplyAdd(f, b1, s21);
            s22 = Vector512.FusedMultiplyAdd(f, b2, s22); s23 = Vector512.FusedMultiplyAdd(f, b3, s23);
            f = Vector512.Create(aRow[3]);
            s30 = Vector512.FusedMultiplyAdd(f, b0, s30); s31 = Vector512.FusedMultiplyAdd(f, b1, s31);
            s32 = Vector512.FusedMultiplyAdd(f, b2, s32); s33 = Vector512.FusedMultiplyAdd(f, b3, s33);
        }

        Vector512.Store(s00, c); Vector512.Store(s01, c + Width); Vector512.Store(s02, c + (2 * Width)); Vector512.Store(s03, c + (3 * Width));
        c += ldb;
        Vector512.Store(s10, c); Vector512.Store(s11, c + Width); Vector512.Store(s12, c + (2 * Width)); Vector512.Store(s13, c + (3 * Width));
        c += ldb;
        Vector512.Store(s20, c); Vector512.Store(s21, c + Width); Vector512.Store(s22, c + (2 * Width)); Vector512.Store(s23, c + (3 * Width));
        c += ldb;
        Vector512.Store(s30, c); Vector512.Store(s31, c + Width); Vector512.Store(s32, c + (2 * Width)); Vector512.Store(s33, c + (3 * Width));
    }

    /// <summary>
    /// c[0..64] = Σ_p scalars[p·scalarStride] · rows[p·rowStride + 0..64], p in order from zero, in four registers:
    /// one row of Aᵀ·B (scalars down a column of A) or a single output's weight gradient (scalars the output's
    /// gradient, rows the layer's inputs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScaledRowsIntoFourVectors(float* scalars, int scalarStride, float* rows, int rowStride, int k, float* c)
    {
        var s0 = Vector512<float>.Zero; var s1 = Vector512<float>.Zero; var s2 = Vector512<float>.Zero; var s3 = Vector512<float>.Zero;
        for (int p = 0; p < k; p++)
        {
            float* row = rows + ((long)p * rowStride);
            var f = Vector512.Create(scalars[(long)p * scalarStride]);
            s0 = Vector512.FusedMultiplyAdd(f, Vector512.Load(row), s0);
            s1 = Vector512.FusedMultiplyAdd(f, Vector512.Load(row + Width), s1);
            s2 = Vector512.FusedMultiplyAdd(f, Vector512.Load(row + (2 * Width)), s2);
            s3 = Vector512.FusedMultiplyAdd(f, Vector512.Load(row + (3 * Width)), s3);
        }

        Vector512.Store(s0, c); Vector512.Store(s1, c + Width); Vector512.Store(s2, c + (2 * Width)); Vector512.Store(s3, c + (3 * Width));
    }

    /// <summary>The same for 16 outputs: Σ_p scalars[p·scalarStride] · rows[p·rowStride + 0..16], p in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ScaledRowsIntoOneVector(float* scalars, int scalarStride, float* rows, int rowStride, int k)
    {
        var sum = Vector512<float>.Zero;
        for (int p = 0; p < k; p++)
        {
            sum = Vector512.FusedMultiplyAdd(Vector512.Create(scalars[(long)p * scalarStride]), Vector512.Load(rows + ((long)p * rowStride)), sum);
        }

        return sum;
    }
}
