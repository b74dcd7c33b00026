using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// AVX-512 micro-kernel: 12 rows x 32 columns (24 zmm accumulators of the 32 registers, 2 for B, 1 broadcast), k loop unrolled 2x (measured +0.2-1 % over 1x in one process).
/// </summary>
internal static unsafe class Vector512Kernel
{
    /// <summary>Rows of C computed per call (the packed A sliver height).</summary>
    public const int Rows = 12;

    /// <summary>Columns of C computed per call (the packed B sliver width).</summary>
    public const int Columns = 32;

    /// <summary>
    /// C[0..Rows, 0..Columns] (+)= packed A sliver (kc x Rows, k-major) times packed B sliver (kc x Columns).
    /// Meanwhile <paramref name="prefetchLines"/> cache lines from <paramref name="prefetch"/> (the driver's next A
    /// sliver, which sits in L3) are pulled into L2, one every few k steps: spread over the loop they keep the
    /// line-fill buffers free for the B stream, where a burst before the call stalled it (+3 % at 2048³).
    /// Every accumulator is its own local so the JIT keeps them all in registers for the whole k loop;
    /// NoInlining + AggressiveOptimization sends the method straight to the optimising tier (tier 0 code
    /// or an OSR body here is several times slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* b, int kc, float* c, int ldc, bool accumulate, byte* prefetch, int prefetchLines)
    {
        // Start pulling the C tile towards L1 now; the k loop hides the latency that would otherwise stall
        // the epilogue's loads (C rows are a page apart and usually sit in L2 or L3). A tile that is only
        // stored (the first k block) is not fetched: the store buffer absorbs those misses, and the burst
        // would hold line-fill buffers the B stream needs (12x32 kernel: +0.3-1 % on one thread, in-process A/B).
        if (Sse.IsSupported && accumulate)
        {
            Sse.Prefetch0(c + 0 + ((long)ldc * 0));
            Sse.Prefetch0(c + 16 + ((long)ldc * 0));
            Sse.Prefetch0(c + 0 + ((long)ldc * 1));
            Sse.Prefetch0(c + 16 + ((long)ldc * 1));
            Sse.Prefetch0(c + 0 + ((long)ldc * 2));
            Sse.Prefetch0(c + 16 + ((long)ldc * 2));
            Sse.Prefetch0(c + 0 + ((long)ldc * 3));
            Sse.Prefetch0(c + 16 + ((long)ldc * 3));
            Sse.Prefetch0(c + 0 + ((long)ldc * 4));
            Sse.Prefetch0(c + 16 + ((long)ldc * 4));
            Sse.Prefetch0(c + 0 + ((long)ldc * 5));
            Sse.Prefetch0(c + 16 + ((long)ldc * 5));
            Sse.Prefetch0(c + 0 + ((long)ldc * 6));
            Sse.Prefetch0(c + 16 + ((long)ldc * 6));
            Sse.Prefetch0(c + 0 + ((long)ldc * 7));
            Sse.Prefetch0(c + 16 + ((long)ldc * 7));
            Sse.Prefetch0(c + 0 + ((long)ldc * 8));
            Sse.Prefetch0(c + 16 + ((long)ldc * 8));
            Sse.Prefetch0(c + 0 + ((long)ldc * 9));
            Sse.Prefetch0(c + 16 + ((long)ldc * 9));
            Sse.Prefetch0(c + 0 + ((long)ldc * 10));
            Sse.Prefetch0(c + 16 + ((long)ldc * 10));
            Sse.Prefetch0(c + 0 + ((long)ldc * 11));
            Sse.Prefetch0(c + 16 + ((long)ldc * 11));
        }

        Vector512<float> c0_0 = Vector512<float>.Zero; Vector512<float> c0_1 = Vector512<float>.Zero;
        Vector512<float> c1_0 = Vector512<float>.Zero; Vector512<float> c1_1 = Vector512<float>.Zero;
        Vector512<float> c2_0 = Vector512<float>.Zero; Vector512<float> c2_1 = Vector512<float>.Zero;
        Vector512<float> c3_0 = Vector512<float>.Zero; Vector512<float> c3_1 = Vector512<float>.Zero;
        Vector512<float> c4_0 = Vector512<float>.Zero; Vector512<float> c4_1 = Vector512<float>.Zero;
        Vector512<float> c5_0 = Vector512<float>.Zero; Vector512<float> c5_1 = Vector512<float>.Zero;
        Vector512<float> c6_0 = Vector512<float>.Zero; Vector512<float> c6_1 = Vector512<float>.Zero;
        Vector512<float> c7_0 = Vector512<float>.Zero; Vector512<float> c7_1 = Vector512<float>.Zero;
        Vector512<float> c8_0 = Vector512<float>.Zero; Vector512<float> c8_1 = Vector512<float>.Zero;
        Vector512<float> c9_0 = Vector512<float>.Zero; Vector512<float> c9_1 = Vector512<float>.Zero;
        Vector512<float> c10_0 = Vector512<float>.Zero; Vector512<float> c10_1 = Vector512<float>.Zero;
        Vector512<float> c11_0 = Vector512<float>.Zero; Vector512<float> c11_1 = Vector512<float>.Zero;
        int prefetchEvery = prefetchLines > 0 ? Math.Max(1, kc / prefetchLines) : int.MaxValue;
        int nextPrefetch = 0;
        int p = 0;
        for (; p <= kc - 2; p += 2)
        {
            if (Sse.IsSupported && p >= nextPrefetch && prefetchLines > 0)
            {
                Sse.Prefetch1(prefetch);
                prefetch += 64;
                prefetchLines--;
                nextPrefetch += prefetchEvery;
            }

            {
                Vector512<float> b0 = Vector512.Load(b + 0);
                Vector512<float> b1 = Vector512.Load(b + 16);
                Vector512<float> a0 = Vector512.Create(a[0]);
                c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
                c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
                Vector512<float> a1 = Vector512.Create(a[1]);
                c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
                c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
                Vector512<float> a2 = Vector512.Create(a[2]);
                c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
                c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
                Vector512<float> a3 = Vector512.Create(a[3]);
                c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
                c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
                Vector512<float> a4 = Vector512.Create(a[4]);
                c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
                c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
                Vector512<float> a5 = Vector512.Create(a[5]);
                c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
                c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
                Vector512<float> a6 = Vector512.Create(a[6]);
                c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
                c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
                Vector512<float> a7 = Vector512.Create(a[7]);
                c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
                c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
                Vector512<float> a8 = Vector512.Create(a[8]);
                c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
                c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
                Vector512<float> a9 = Vector512.Create(a[9]);
                c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
                c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
                Vector512<float> a10 = Vector512.Create(a[10]);
                c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
                c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
                Vector512<float> a11 = Vector512.Create(a[11]);
                c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
                c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            }

            {
                Vector512<float> b0 = Vector512.Load(b + 32);
                Vector512<float> b1 = Vector512.Load(b + 48);
                Vector512<float> a0 = Vector512.Create(a[12]);
                c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
                c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
                Vector512<float> a1 = Vector512.Create(a[13]);
                c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
                c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
                Vector512<float> a2 = Vector512.Create(a[14]);
                c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
                c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
                Vector512<float> a3 = Vector512.Create(a[15]);
                c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
                c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
                Vector512<float> a4 = Vector512.Create(a[16]);
                c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
                c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
                Vector512<float> a5 = Vector512.Create(a[17]);
                c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
                c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
                Vector512<float> a6 = Vector512.Create(a[18]);
                c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
                c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
                Vector512<float> a7 = Vector512.Create(a[19]);
                c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
                c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
                Vector512<float> a8 = Vector512.Create(a[20]);
                c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
                c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
                Vector512<float> a9 = Vector512.Create(a[21]);
                c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
                c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
                Vector512<float> a10 = Vector512.Create(a[22]);
                c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
                c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
                Vector512<float> a11 = Vector512.Create(a[23]);
                c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
                c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            }

            a += 24;
            b += 64;
        }

        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            Vector512<float> a8 = Vector512.Create(a[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            Vector512<float> a9 = Vector512.Create(a[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            Vector512<float> a10 = Vector512.Create(a[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            Vector512<float> a11 = Vector512.Create(a[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            a += 12;
            b += 32;
        }

        if (accumulate)
        {
            Vector512.Store(Vector512.Load(c + 0) + c0_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c0_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c1_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c1_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c2_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c2_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c3_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c3_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c4_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c4_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c5_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c5_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c6_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c6_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c7_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c7_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c8_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c8_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c9_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c9_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c10_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c10_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c11_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c11_1, c + 16);
        }
        else
        {
            Vector512.Store(c0_0, c + 0);
            Vector512.Store(c0_1, c + 16);
            c += ldc;
            Vector512.Store(c1_0, c + 0);
            Vector512.Store(c1_1, c + 16);
            c += ldc;
            Vector512.Store(c2_0, c + 0);
            Vector512.Store(c2_1, c + 16);
            c += ldc;
            Vector512.Store(c3_0, c + 0);
            Vector512.Store(c3_1, c + 16);
            c += ldc;
            Vector512.Store(c4_0, c + 0);
            Vector512.Store(c4_1, c + 16);
            c += ldc;
            Vector512.Store(c5_0, c + 0);
            Vector512.Store(c5_1, c + 16);
            c += ldc;
            Vector512.Store(c6_0, c + 0);
            Vector512.Store(c6_1, c + 16);
            c += ldc;
            Vector512.Store(c7_0, c + 0);
            Vector512.Store(c7_1, c + 16);
            c += ldc;
            Vector512.Store(c8_0, c + 0);
            Vector512.Store(c8_1, c + 16);
            c += ldc;
            Vector512.Store(c9_0, c + 0);
            Vector512.Store(c9_1, c + 16);
            c += ldc;
            Vector512.Store(c10_0, c + 0);
            Vector512.Store(c10_1, c + 16);
            c += ldc;
            Vector512.Store(c11_0, c + 0);
            Vector512.Store(c11_1, c + 16);
        }
    }

    /// <summary>
    /// The first 4 rows of <see cref="Run"/>'s tile, for the last sliver of an m that is not a multiple of Rows:
    /// the same packed A layout (Rows values per k step, the rest zero padding), only 4 rows computed and
    /// stored, so the tile goes straight to C without the scratch tile and merge.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RunRows4(float* a, float* b, int kc, float* c, int ldc, bool accumulate, byte* prefetch, int prefetchLines)
    {
        // Start pulling the C tile towards L1 now; the k loop hides the latency that would otherwise stall
        // the epilogue's loads (C rows are a page apart and usually sit in L2 or L3). A tile that is only
        // stored (the first k block) is not fetched: the store buffer absorbs those misses, and the burst
        // would hold line-fill buffers the B stream needs (12x32 kernel: +0.3-1 % on one thread, in-process A/B).
        if (Sse.IsSupported && accumulate)
        {
            Sse.Prefetch0(c + 0 + ((long)ldc * 0));
            Sse.Prefetch0(c + 16 + ((long)ldc * 0));
            Sse.Prefetch0(c + 0 + ((long)ldc * 1));
            Sse.Prefetch0(c + 16 + ((long)ldc * 1));
            Sse.Prefetch0(c + 0 + ((long)ldc * 2));
            Sse.Prefetch0(c + 16 + ((long)ldc * 2));
            Sse.Prefetch0(c + 0 + ((long)ldc * 3));
            Sse.Prefetch0(c + 16 + ((long)ldc * 3));
        }

        Vector512<float> c0_0 = Vector512<float>.Zero; Vector512<float> c0_1 = Vector512<float>.Zero;
        Vector512<float> c1_0 = Vector512<float>.Zero; Vector512<float> c1_1 = Vector512<float>.Zero;
        Vector512<float> c2_0 = Vector512<float>.Zero; Vector512<float> c2_1 = Vector512<float>.Zero;
        Vector512<float> c3_0 = Vector512<float>.Zero; Vector512<float> c3_1 = Vector512<float>.Zero;
        int prefetchEvery = prefetchLines > 0 ? Math.Max(1, kc / prefetchLines) : int.MaxValue;
        int nextPrefetch = 0;
        int p = 0;
        for (; p <= kc - 2; p += 2)
        {
            if (Sse.IsSupported && p >= nextPrefetch && prefetchLines > 0)
            {
                Sse.Prefetch1(prefetch);
                prefetch += 64;
                prefetchLines--;
                nextPrefetch += prefetchEvery;
            }

            {
                Vector512<float> b0 = Vector512.Load(b + 0);
                Vector512<float> b1 = Vector512.Load(b + 16);
                Vector512<float> a0 = Vector512.Create(a[0]);
                c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
                c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
                Vector512<float> a1 = Vector512.Create(a[1]);
                c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
                c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
                Vector512<float> a2 = Vector512.Create(a[2]);
                c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
                c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
                Vector512<float> a3 = Vector512.Create(a[3]);
                c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
                c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            }

            {
                Vector512<float> b0 = Vector512.Load(b + 32);
                Vector512<float> b1 = Vector512.Load(b + 48);
                Vector512<float> a0 = Vector512.Create(a[12]);
                c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
                c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
                Vector512<float> a1 = Vector512.Create(a[13]);
                c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
                c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
                Vector512<float> a2 = Vector512.Create(a[14]);
                c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
                c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
                Vector512<float> a3 = Vector512.Create(a[15]);
                c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
                c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            }

            a += 24;
            b += 64;
        }

        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            a += 12;
            b += 32;
        }

        if (accumulate)
        {
            Vector512.Store(Vector512.Load(c + 0) + c0_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c0_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c1_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c1_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c2_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c2_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c3_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c3_1, c + 16);
        }
        else
        {
            Vector512.Store(c0_0, c + 0);
            Vector512.Store(c0_1, c + 16);
            c += ldc;
            Vector512.Store(c1_0, c + 0);
            Vector512.Store(c1_1, c + 16);
            c += ldc;
            Vector512.Store(c2_0, c + 0);
            Vector512.Store(c2_1, c + 16);
            c += ldc;
            Vector512.Store(c3_0, c + 0);
            Vector512.Store(c3_1, c + 16);
        }
    }

    /// <summary>
    /// The first 8 rows of <see cref="Run"/>'s tile, for the last sliver of an m that is not a multiple of Rows:
    /// the same packed A layout (Rows values per k step, the rest zero padding), only 8 rows computed and
    /// stored, so the tile goes straight to C without the scratch tile and merge.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void RunRows8(float* a, float* b, int kc, float* c, int ldc, bool accumulate, byte* prefetch, int prefetchLines)
    {
        // Start pulling the C tile towards L1 now; the k loop hides the latency that would otherwise stall
        // the epilogue's loads (C rows are a page apart and usually sit in L2 or L3). A tile that is only
        // stored (the first k block) is not fetched: the store buffer absorbs those misses, and the burst
        // would hold line-fill buffers the B stream needs (12x32 kernel: +0.3-1 % on one thread, in-process A/B).
        if (Sse.IsSupported && accumulate)
        {
            Sse.Prefetch0(c + 0 + ((long)ldc * 0));
            Sse.Prefetch0(c + 16 + ((long)ldc * 0));
            Sse.Prefetch0(c + 0 + ((long)ldc * 1));
            Sse.Prefetch0(c + 16 + ((long)ldc * 1));
            Sse.Prefetch0(c + 0 + ((long)ldc * 2));
            Sse.Prefetch0(c + 16 + ((long)ldc * 2));
            Sse.Prefetch0(c + 0 + ((long)ldc * 3));
            Sse.Prefetch0(c + 16 + ((long)ldc * 3));
            Sse.Prefetch0(c + 0 + ((long)ldc * 4));
            Sse.Prefetch0(c + 16 + ((long)ldc * 4));
            Sse.Prefetch0(c + 0 + ((long)ldc * 5));
            Sse.Prefetch0(c + 16 + ((long)ldc * 5));
            Sse.Prefetch0(c + 0 + ((long)ldc * 6));
            Sse.Prefetch0(c + 16 + ((long)ldc * 6));
            Sse.Prefetch0(c + 0 + ((long)ldc * 7));
            Sse.Prefetch0(c + 16 + ((long)ldc * 7));
        }

        Vector512<float> c0_0 = Vector512<float>.Zero; Vector512<float> c0_1 = Vector512<float>.Zero;
        Vector512<float> c1_0 = Vector512<float>.Zero; Vector512<float> c1_1 = Vector512<float>.Zero;
        Vector512<float> c2_0 = Vector512<float>.Zero; Vector512<float> c2_1 = Vector512<float>.Zero;
        Vector512<float> c3_0 = Vector512<float>.Zero; Vector512<float> c3_1 = Vector512<float>.Zero;
        Vector512<float> c4_0 = Vector512<float>.Zero; Vector512<float> c4_1 = Vector512<float>.Zero;
        Vector512<float> c5_0 = Vector512<float>.Zero; Vector512<float> c5_1 = Vector512<float>.Zero;
        Vector512<float> c6_0 = Vector512<float>.Zero; Vector512<float> c6_1 = Vector512<float>.Zero;
        Vector512<float> c7_0 = Vector512<float>.Zero; Vector512<float> c7_1 = Vector512<float>.Zero;
        int prefetchEvery = prefetchLines > 0 ? Math.Max(1, kc / prefetchLines) : int.MaxValue;
        int nextPrefetch = 0;
        int p = 0;
        for (; p <= kc - 2; p += 2)
        {
            if (Sse.IsSupported && p >= nextPrefetch && prefetchLines > 0)
            {
                Sse.Prefetch1(prefetch);
                prefetch += 64;
                prefetchLines--;
                nextPrefetch += prefetchEvery;
            }

            {
                Vector512<float> b0 = Vector512.Load(b + 0);
                Vector512<float> b1 = Vector512.Load(b + 16);
                Vector512<float> a0 = Vector512.Create(a[0]);
                c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
                c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
                Vector512<float> a1 = Vector512.Create(a[1]);
                c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
                c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
                Vector512<float> a2 = Vector512.Create(a[2]);
                c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
                c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
                Vector512<float> a3 = Vector512.Create(a[3]);
                c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
                c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
                Vector512<float> a4 = Vector512.Create(a[4]);
                c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
                c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
                Vector512<float> a5 = Vector512.Create(a[5]);
                c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
                c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
                Vector512<float> a6 = Vector512.Create(a[6]);
                c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
                c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
                Vector512<float> a7 = Vector512.Create(a[7]);
                c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
                c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            }

            {
                Vector512<float> b0 = Vector512.Load(b + 32);
                Vector512<float> b1 = Vector512.Load(b + 48);
                Vector512<float> a0 = Vector512.Create(a[12]);
                c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
                c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
                Vector512<float> a1 = Vector512.Create(a[13]);
                c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
                c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
                Vector512<float> a2 = Vector512.Create(a[14]);
                c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
                c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
                Vector512<float> a3 = Vector512.Create(a[15]);
                c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
                c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
                Vector512<float> a4 = Vector512.Create(a[16]);
                c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
                c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
                Vector512<float> a5 = Vector512.Create(a[17]);
                c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
                c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
                Vector512<float> a6 = Vector512.Create(a[18]);
                c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
                c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
                Vector512<float> a7 = Vector512.Create(a[19]);
                c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
                c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            }

            a += 24;
            b += 64;
        }

        for (; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            a += 12;
            b += 32;
        }

        if (accumulate)
        {
            Vector512.Store(Vector512.Load(c + 0) + c0_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c0_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c1_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c1_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c2_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c2_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c3_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c3_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c4_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c4_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c5_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c5_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c6_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c6_1, c + 16);
            c += ldc;
            Vector512.Store(Vector512.Load(c + 0) + c7_0, c + 0);
            Vector512.Store(Vector512.Load(c + 16) + c7_1, c + 16);
        }
        else
        {
            Vector512.Store(c0_0, c + 0);
            Vector512.Store(c0_1, c + 16);
            c += ldc;
            Vector512.Store(c1_0, c + 0);
            Vector512.Store(c1_1, c + 16);
            c += ldc;
            Vector512.Store(c2_0, c + 0);
            Vector512.Store(c2_1, c + 16);
            c += ldc;
            Vector512.Store(c3_0, c + 0);
            Vector512.Store(c3_1, c + 16);
            c += ldc;
            Vector512.Store(c4_0, c + 0);
            Vector512.Store(c4_1, c + 16);
            c += ldc;
            Vector512.Store(c5_0, c + 0);
            Vector512.Store(c5_1, c + 16);
            c += ldc;
            Vector512.Store(c6_0, c + 0);
            Vector512.Store(c6_1, c + 16);
            c += ldc;
            Vector512.Store(c7_0, c + 0);
            Vector512.Store(c7_1, c + 16);
        }
    }
}
