using System.Runtime.InteropServices;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// A grow-only scratch buffer for packed slivers, outside the GC heap and aligned to 2 MiB, advised to be backed
/// by huge pages (<see cref="HugePages"/>): the micro-kernel streams a new 64 KiB B sliver every call, sixteen
/// 4 KiB pages and as many first-level TLB misses, where one huge page covers a whole packed block. Each thread keeps its own buffers
/// for the life of the thread; growing frees the old block, so steady-state training allocates nothing.
/// </summary>
internal sealed unsafe class PackingBuffer
{
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

        nuint bytes = ((nuint)floats * sizeof(float) + HugePages.Size - 1) & ~(nuint)(HugePages.Size - 1);
        _data = (float*)NativeMemory.AlignedAlloc(bytes, HugePages.Size);
        _capacity = (long)(bytes / sizeof(float));
        HugePages.Advise(_data, bytes);
    }

    ~PackingBuffer()
    {
        if (_data != null)
        {
            NativeMemory.AlignedFree(_data);
        }
    }
}
