using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Numerics.Training;

/// <summary>
/// The epoch's row order and each batch's copy of its rows. On a large data set both are random accesses into
/// arrays far bigger than the caches (the seed workload: a 4 MB order, 20 MB of features), which cost the seed MLP
/// more than its arithmetic; both look ahead and prefetch what they will touch a few steps later, so the misses
/// overlap instead of following one another. Neither changes which rows are drawn or their order.
/// </summary>
internal static unsafe class BatchSampling
{
    /// <summary>How many swaps or rows ahead the prefetches run: enough misses in flight to cover memory latency.</summary>
    private const int Ahead = 16;

    /// <summary>
    /// order = 0..n-1 shuffled by Fisher–Yates with <paramref name="random"/>. The swap partners are drawn in the
    /// usual sequence (i = n-1 down to 1), only <see cref="Ahead"/> draws early, so the permutation is the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Shuffle(Span<int> order, DeterministicRandom random)
    {
        int n = order.Length;
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        int* upcoming = stackalloc int[Ahead];
        fixed (int* o = order)
        {
            // Draw the partners of the first Ahead swaps, then draw each later one Ahead swaps before its use.
            for (int t = 0; t < Ahead && n - 1 - t > 0; t++)
            {
                upcoming[t] = random.NextInt(n - t);
                Prefetch(o + upcoming[t]);
            }

            for (int i = n - 1, t = 0; i > 0; i--, t = (t + 1) % Ahead)
            {
                int j = upcoming[t];
                int later = i - Ahead;
                if (later > 0)
                {
                    upcoming[t] = random.NextInt(later + 1);
                    Prefetch(o + upcoming[t]);
                }

                (o[i], o[j]) = (o[j], o[i]);
            }
        }
    }

    /// <summary>Copies the rows <paramref name="rowIndices"/> of features and targets into the batch buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(
        ReadOnlySpan<float> features, int inWidth, ReadOnlySpan<float> targets, int outWidth, ReadOnlySpan<int> rowIndices, Span<float> input, Span<float> batchTargets)
    {
        int count = rowIndices.Length;
        fixed (float* f = features)
        fixed (float* y = targets)
        fixed (int* rows = rowIndices)
        fixed (float* x = input[..(count * inWidth)])
        fixed (float* t = batchTargets[..(count * outWidth)])
        {
            for (int r = 0; r < Math.Min(Ahead, count); r++)
            {
                PrefetchRow(f, y, rows[r], inWidth, outWidth);
            }

            for (int r = 0; r < count; r++)
            {
                if (r + Ahead < count)
                {
                    PrefetchRow(f, y, rows[r + Ahead], inWidth, outWidth);
                }

                long row = rows[r];
                Copy(f + (row * inWidth), x + ((long)r * inWidth), inWidth);
                Copy(y + (row * outWidth), t + ((long)r * outWidth), outWidth);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRow(float* features, float* targets, long row, int inWidth, int outWidth)
    {
        byte* start = (byte*)(features + (row * inWidth));
        byte* end = start + ((long)inWidth * sizeof(float)) - 1;
        for (byte* line = start; line <= end; line += 64)
        {
            Prefetch(line);
        }

        Prefetch(end);
        Prefetch(targets + (row * outWidth));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(void* address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(address);
        }
    }

    /// <summary>A short row as a plain loop (a memmove call per 5-value row cost more than the copy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, float* destination, int count)
    {
        if (count > 32)
        {
            new ReadOnlySpan<float>(source, count).CopyTo(new Span<float>(destination, count));
            return;
        }

        for (int i = 0; i < count; i++)
        {
            destination[i] = source[i];
        }
    }
}
