using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// AVX2/FMA micro-kernel: 6 rows x 16 columns (12 ymm accumulators, 2 for B, 1 broadcast: fits 16 registers).
/// </summary>
internal static unsafe class Vector256Kernel
{
    /// <summary>Rows of C computed per call (the packed A sliver height).</summary>
    public const int Rows = 6;

    /// <summary>Columns of C computed per call (the packed B sliver width).</summary>
    public const int Columns = 16;

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
            Sse.Prefetch0(c + 0 + ((long)ldc * 1));
            Sse.Prefetch0(c + 0 + ((long)ldc * 2));
            Sse.Prefetch0(c + 0 + ((long)ldc * 3));
            Sse.Prefetch0(c + 0 + ((long)ldc * 4));
            Sse.Prefetch0(c + 0 + ((long)ldc * 5));
        }

        Vector256<float> c0_0 = Vector256<float>.Zero; Vector256<float> c0_1 = Vector256<float>.Zero;
        Vector256<float> c1_0 = Vector256<float>.Zero; Vector256<float> c1_1 = Vector256<float>.Zero;
        Vector256<float> c2_0 = Vector256<float>.Zero; Vector256<float> c2_1 = Vector256<float>.Zero;
        Vector256<float> c3_0 = Vector256<float>.Zero; Vector256<float> c3_1 = Vector256<float>.Zero;
        Vector256<float> c4_0 = Vector256<float>.Zero; Vector256<float> c4_1 = Vector256<float>.Zero;
        Vector256<float> c5_0 = Vector256<float>.Zero; Vector256<float> c5_1 = Vector256<float>.Zero;
        int prefetchEvery = prefetchLines > 0 ? Math.Max(1, kc / prefetchLines) : int.MaxValue;
        int nextPrefetch = 0;
        for (int p = 0; p < kc; p++)
        {
            if (Sse.IsSupported && p >= nextPrefetch && prefetchLines > 0)
            {
                Sse.Prefetch1(prefetch);
                prefetch += 64;
                prefetchLines--;
                nextPrefetch += prefetchEvery;
            }

            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
            a += 6;
            b += 16;
        }

        if (accumulate)
        {
            Vector256.Store(Vector256.Load(c + 0) + c0_0, c + 0);
            Vector256.Store(Vector256.Load(c + 8) + c0_1, c + 8);
            c += ldc;
            Vector256.Store(Vector256.Load(c + 0) + c1_0, c + 0);
            Vector256.Store(Vector256.Load(c + 8) + c1_1, c + 8);
            c += ldc;
            Vector256.Store(Vector256.Load(c + 0) + c2_0, c + 0);
            Vector256.Store(Vector256.Load(c + 8) + c2_1, c + 8);
            c += ldc;
            Vector256.Store(Vector256.Load(c + 0) + c3_0, c + 0);
            Vector256.Store(Vector256.Load(c + 8) + c3_1, c + 8);
            c += ldc;
            Vector256.Store(Vector256.Load(c + 0) + c4_0, c + 0);
            Vector256.Store(Vector256.Load(c + 8) + c4_1, c + 8);
            c += ldc;
            Vector256.Store(Vector256.Load(c + 0) + c5_0, c + 0);
            Vector256.Store(Vector256.Load(c + 8) + c5_1, c + 8);
        }
        else
        {
            Vector256.Store(c0_0, c + 0);
            Vector256.Store(c0_1, c + 8);
            c += ldc;
            Vector256.Store(c1_0, c + 0);
            Vector256.Store(c1_1, c + 8);
            c += ldc;
            Vector256.Store(c2_0, c + 0);
            Vector256.Store(c2_1, c + 8);
            c += ldc;
            Vector256.Store(c3_0, c + 0);
            Vector256.Store(c3_1, c + 8);
            c += ldc;
            Vector256.Store(c4_0, c + 0);
            Vector256.Store(c4_1, c + 8);
            c += ldc;
            Vector256.Store(c5_0, c + 0);
            Vector256.Store(c5_1, c + 8);
        }
    }
}
