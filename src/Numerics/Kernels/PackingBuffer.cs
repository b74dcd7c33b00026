using System.Runtime.InteropServices;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// A grow-only scratch buffer for packed slivers, outside the GC heap and aligned to 2 MiB. On Linux it is
/// advised to be backed by transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>; this machine's THP mode is
/// "madvise"): the micro-kernel streams a new 64 KiB B sliver every call, sixteen 4 KiB pages and as many
/// first-level TLB misses, where one huge page covers a whole packed block. Each thread keeps its own buffers
/// for the life of the thread; growing frees the old block, so steady-state training allocates nothing.
/// </summary>
internal sealed unsafe partial class PackingBuffer
{
    private const nuint HugePage = 2 * 1024 * 1024;
    private const int MadviseHugePage = 14;

    private static readonly bool UseHugePages =
        OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("PIPELINE_GEMM_HUGE_PAGES") != "0";

    private float* _data;
    private long _capacity;

    /// <summary>At least <paramref name="floats"/> floats, 64-byte aligned; the contents are unspecified.</summary>
    public float* Get(long floats)
    {
        if (floats > _capacity)
        {
            Grow(floats);
        }

        return _data;
    }

    private void Grow(long floats)
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
            _data = null;
            _capacity = 0;
        }

        nuint bytes = ((nuint)floats * sizeof(float) + HugePage - 1) & ~(HugePage - 1);
        _data = (float*)NativeMemory.AlignedAlloc(bytes, HugePage);
        _capacity = (long)(bytes / sizeof(float));
        if (UseHugePages)
        {
            // Advice only: when the kernel cannot find huge pages the buffer simply stays on 4 KiB pages.
            _ = Madvise(_data, bytes, MadviseHugePage);
        }
    }

    ~PackingBuffer()
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
