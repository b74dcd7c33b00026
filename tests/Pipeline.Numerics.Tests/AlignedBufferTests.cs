namespace Pipeline.Numerics.Tests;

/// <summary>
/// The engine's float buffers: zeroed, 64-byte aligned at the requested slot within a 4 KiB page, small or large
/// (large ones take the huge-page path, which allocates uninitialised memory and must clear it itself).
/// </summary>
public class AlignedBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData((2 * 1024 * 1024 / sizeof(float)) - 1)]
    [InlineData(2 * 1024 * 1024 / sizeof(float))]
    [InlineData(3_000_017)]
    public unsafe void Buffers_are_zeroed_and_start_at_their_page_slot(int length)
    {
        for (int slot = 0; slot < 8; slot++)
        {
            // Dirty the heap first, so a buffer that skipped clearing would show it.
            var dirt = GC.AllocateUninitializedArray<float>(length + 4096, pinned: true);
            dirt.AsSpan().Fill(float.NaN);
            dirt = null;
            GC.Collect();

            var buffer = new AlignedBuffer(length, slot);
            var span = buffer.Span;
            Assert.Equal(length, span.Length);
            Assert.Equal(-1, span.IndexOfAnyExcept(0f));
            fixed (float* start = span)
            {
                if (length > 0)
                {
                    Assert.Equal((nuint)(slot * 512), (nuint)start % 4096);
                }
            }

            // The whole length is writable without touching a neighbour (the array holds it all).
            span.Fill(1f);
            Assert.Equal(length, buffer.AsSpan(0, length).Length);
        }
    }
}
