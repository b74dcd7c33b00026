using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pipeline.Numerics;

/// <summary>
/// A float buffer on the pinned heap whose start is 64-byte aligned and sits at a chosen offset within a 4 KiB
/// page. Element-wise loops stream several equally sized buffers at once (Z, A and dA; weights, gradients and
/// Adam's moments); when those start at the same page offset, every load waits on an unrelated store to the
/// same low 12 address bits ("4K aliasing") and a ReLU over 16K floats measured 4-5x slower. Giving each
/// concurrently streamed buffer its own slot avoids that. Buffers of 2 MiB and more start in a 2 MiB-aligned block
/// advised for huge pages (<see cref="HugePages"/>): the GEMM streams weights and activations of that size.
/// </summary>
internal sealed class AlignedBuffer
{
    private const int PageBytes = 4096;
    private const int Slots = 8;
    private static int s_nextSlot;

    private readonly float[] _array;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed floats in the next page slot (round robin).</summary>
    public AlignedBuffer(int length)
        : this(length, Interlocked.Increment(ref s_nextSlot))
    {
    }

    /// <summary>Allocates <paramref name="length"/> zeroed floats starting at page offset <c>(slot mod 8)·512</c> bytes.</summary>
    public unsafe AlignedBuffer(int length, int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        nuint wanted = (nuint)((slot & (Slots - 1)) * (PageBytes / Slots));
        if (!HugePages.Enabled || (long)length * sizeof(float) < HugePages.Size)
        {
            _array = GC.AllocateArray<float>(length + (PageBytes / sizeof(float)), pinned: true);
            nuint start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            nuint shiftBytes = (wanted - (start % PageBytes) + PageBytes) % PageBytes;
            _offset = (int)(shiftBytes / sizeof(float));
            return;
        }

        // Uninitialised, so that fresh memory is not touched before the advice (pages written first become
        // huge); then zeroed here, which also faults the huge pages in now rather than in the first step.
        _array = GC.AllocateUninitializedArray<float>(length + ((HugePages.Size + PageBytes) / sizeof(float)), pinned: true);
        nuint arrayStart = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        nuint blockStart = (arrayStart + HugePages.Size - 1) & ~(nuint)(HugePages.Size - 1);
        _offset = (int)((blockStart + wanted - arrayStart) / sizeof(float));
        HugePages.Advise((void*)blockStart, (nuint)length * sizeof(float) + wanted);
        Span.Clear();
    }

    /// <summary>Usable floats.</summary>
    public int Length { get; }

    /// <summary>The whole buffer.</summary>
    public Span<float> Span => _array.AsSpan(_offset, Length);

    /// <summary>A slice of the buffer.</summary>
    public Span<float> AsSpan(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)start + length, Length);
        return _array.AsSpan(_offset + start, length);
    }
}
