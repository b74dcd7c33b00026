using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Numerics.Kernels;

/// <summary>The instruction-set width a GEMM micro-kernel is written for.</summary>
public enum KernelKind
{
    /// <summary>Plain scalar code; the fallback when no SIMD is accelerated.</summary>
    Scalar,

    /// <summary>128-bit vectors (SSE / NEON).</summary>
    Vector128,

    /// <summary>256-bit vectors (AVX2 + FMA).</summary>
    Vector256,

    /// <summary>512-bit vectors (AVX-512F), 32 vector registers.</summary>
    Vector512,
}

/// <summary>Which micro-kernel runs, chosen once from what the JIT reports as hardware accelerated.</summary>
public static class KernelSelection
{
    /// <summary>The widest kernel whose vectors are hardware accelerated on this process.</summary>
    public static KernelKind Best { get; } =
        Vector512.IsHardwareAccelerated ? KernelKind.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? KernelKind.Vector256
        : Vector128.IsHardwareAccelerated ? KernelKind.Vector128
        : KernelKind.Scalar;

    /// <summary>
    /// Whether <paramref name="kind"/> can run here at full speed (tests use this to exercise every kernel the
    /// machine supports, not only the best one). Vector kernels are correct anywhere, but slow when emulated.
    /// </summary>
    public static bool IsSupported(KernelKind kind) => kind switch
    {
        KernelKind.Scalar => true,
        KernelKind.Vector128 => Vector128.IsHardwareAccelerated,
        KernelKind.Vector256 => Vector256.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported),
        KernelKind.Vector512 => Vector512.IsHardwareAccelerated || Avx512F.IsSupported,
        _ => false,
    };

    internal static int Rows(KernelKind kind) => kind switch
    {
        KernelKind.Vector512 => Vector512Kernel.Rows,
        KernelKind.Vector256 => Vector256Kernel.Rows,
        KernelKind.Vector128 => Vector128Kernel.Rows,
        _ => ScalarKernel.Rows,
    };

    internal static int Columns(KernelKind kind) => kind switch
    {
        KernelKind.Vector512 => Vector512Kernel.Columns,
        KernelKind.Vector256 => Vector256Kernel.Columns,
        KernelKind.Vector128 => Vector128Kernel.Columns,
        _ => ScalarKernel.Columns,
    };
}
