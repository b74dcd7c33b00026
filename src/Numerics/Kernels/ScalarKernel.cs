using System.Runtime.CompilerServices;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// Scalar micro-kernel, used when no SIMD is hardware accelerated (e.g. DOTNET_EnableHWIntrinsic=0).
/// Same packed layout and blocking as the vector kernels, so the driver is shared.
/// </summary>
internal static unsafe class ScalarKernel
{
    /// <summary>Rows of C computed per call.</summary>
    public const int Rows = 4;

    /// <summary>Columns of C computed per call.</summary>
    public const int Columns = 4;

    /// <summary>C tile (+)= packed A sliver times packed B sliver.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* b, int kc, float* c, int ldc, bool accumulate)
    {
        float c0_0 = 0; float c0_1 = 0; float c0_2 = 0; float c0_3 = 0;
        float c1_0 = 0; float c1_1 = 0; float c1_2 = 0; float c1_3 = 0;
        float c2_0 = 0; float c2_1 = 0; float c2_2 = 0; float c2_3 = 0;
        float c3_0 = 0; float c3_1 = 0; float c3_2 = 0; float c3_3 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0]; float b1 = b[1]; float b2 = b[2]; float b3 = b[3];
            float a0 = a[0];
            c0_0 += a0 * b0; c0_1 += a0 * b1; c0_2 += a0 * b2; c0_3 += a0 * b3;
            float a1 = a[1];
            c1_0 += a1 * b0; c1_1 += a1 * b1; c1_2 += a1 * b2; c1_3 += a1 * b3;
            float a2 = a[2];
            c2_0 += a2 * b0; c2_1 += a2 * b1; c2_2 += a2 * b2; c2_3 += a2 * b3;
            float a3 = a[3];
            c3_0 += a3 * b0; c3_1 += a3 * b1; c3_2 += a3 * b2; c3_3 += a3 * b3;
            a += 4;
            b += 4;
        }

        c[0] = accumulate ? c[0] + c0_0 : c0_0;
        c[1] = accumulate ? c[1] + c0_1 : c0_1;
        c[2] = accumulate ? c[2] + c0_2 : c0_2;
        c[3] = accumulate ? c[3] + c0_3 : c0_3;
        c += ldc;
        c[0] = accumulate ? c[0] + c1_0 : c1_0;
        c[1] = accumulate ? c[1] + c1_1 : c1_1;
        c[2] = accumulate ? c[2] + c1_2 : c1_2;
        c[3] = accumulate ? c[3] + c1_3 : c1_3;
        c += ldc;
        c[0] = accumulate ? c[0] + c2_0 : c2_0;
        c[1] = accumulate ? c[1] + c2_1 : c2_1;
        c[2] = accumulate ? c[2] + c2_2 : c2_2;
        c[3] = accumulate ? c[3] + c2_3 : c2_3;
        c += ldc;
        c[0] = accumulate ? c[0] + c3_0 : c3_0;
        c[1] = accumulate ? c[1] + c3_1 : c3_1;
        c[2] = accumulate ? c[2] + c3_2 : c3_2;
        c[3] = accumulate ? c[3] + c3_3 : c3_3;
    }
}
