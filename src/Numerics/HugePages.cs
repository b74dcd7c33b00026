using System.Runtime.InteropServices;

namespace Pipeline.Numerics;

/// <summary>
/// Advice to back large buffers with transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>; this machine's THP mode
/// is "madvise", the usual default, so nothing is huge unless asked). A matrix streamed by the GEMM touches a new
/// 4 KiB page every few kernel calls and the working set of a 2048³ multiply (48 MiB) overflows the second-level
/// TLB; one 2 MiB page covers what 512 small ones do (measured 156 -> 161 GFLOP/s at 2048³ on one thread). NumPy
/// gives its own arrays of 4 MiB and more the same advice. <c>PIPELINE_HUGE_PAGES=0</c> turns it off.
/// </summary>
internal static unsafe partial class HugePages
{
    /// <summary>The huge page size on x64 and arm64 Linux with 4 KiB base pages.</summary>
    public const int Size = 2 * 1024 * 1024;

    private const int MadviseHugePage = 14;

    /// <summary>Whether advice is given at all (Linux only, not switched off by the environment).</summary>
    public static readonly bool Enabled =
        OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("PIPELINE_HUGE_PAGES") != "0";

    /// <summary>
    /// Advises the whole huge pages inside [<paramref name="start"/>, start + <paramref name="bytes"/>). Only pages
    /// touched after the advice become huge, so call it before the memory is first written. Advice only: when the
    /// kernel has no huge page to give, the range stays on 4 KiB pages.
    /// </summary>
    public static void Advise(void* start, nuint bytes)
    {
        if (!Enabled)
        {
            return;
        }

        nuint first = ((nuint)start + Size - 1) & ~(nuint)(Size - 1);
        nuint end = ((nuint)start + bytes) & ~(nuint)(Size - 1);
        if (end > first)
        {
            _ = Madvise((void*)first, end - first, MadviseHugePage);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
