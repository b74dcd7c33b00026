using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// Copies blocks of A and B into the sliver layout the micro-kernels stream through: contiguous, k-major and
/// zero-padded to whole slivers, so the kernel's inner loop is two aligned loads and a run of broadcasts.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Rows of row-major B prefetched ahead while packing: each k row of a block is a separate run of a few cache
    /// lines, which the hardware prefetcher does not follow across rows (+2.6 % on a 1024³ multiply).
    /// </summary>
    private const int BRowsAhead = 4;

    /// <summary>
    /// Packs rows [row0, row0+rows) x columns [col0, col0+depth) of A into slivers of <paramref name="sliverRows"/>
    /// rows: sliver s holds, for each p, the values A(row0 + s*sliverRows + r, col0 + p) for r in 0..sliverRows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(StridedMatrix a, int row0, int rows, int col0, int depth, int sliverRows, float* destination)
    {
        if (a.RowStride == 1 && a.ColumnStride != 1 && sliverRows % 4 == 0 && rows >= sliverRows && Vector128.IsHardwareAccelerated)
        {
            // Aᵀ stored row-major: every whole sliver at once, one source row (step p) at a time.
            int whole = rows / sliverRows * sliverRows;
            PackTransposedWholeSlivers(a.At(row0, col0), a.ColumnStride, whole, depth, sliverRows, destination);
            if (whole == rows)
            {
                return;
            }

            row0 += whole;
            rows -= whole;
            destination += (long)whole * depth;
        }

        for (int s = 0; s < rows; s += sliverRows)
        {
            int live = Math.Min(sliverRows, rows - s);
            float* dst = destination + ((long)s * depth);
            if (a.RowStride == 1)
            {
                // Aᵀ stored row-major: the sliver's rows are adjacent in memory for each p.
                for (int p = 0; p < depth; p++)
                {
                    float* src = a.At(row0 + s, col0 + p);
                    float* d = dst + ((long)p * sliverRows);
                    int r = 0;
                    for (; r < live; r++)
                    {
                        d[r] = src[r];
                    }

                    for (; r < sliverRows; r++)
                    {
                        d[r] = 0;
                    }
                }
            }
            else if (live == sliverRows && a.ColumnStride == 1 && sliverRows % 4 == 0 && Sse.IsSupported)
            {
                PackRowMajorSliverByTransposes(a.At(row0 + s, col0), a.RowStride, depth, sliverRows, dst);
            }
            else if (live == sliverRows)
            {
                // A row-major: read the sliver's rows side by side (their cache lines stay in L1 for 16 steps of
                // p) and write the packed sliver strictly sequentially, which the store buffer handles far better
                // than scattered writes.
                long step = a.RowStride;
                float* src = a.At(row0 + s, col0);
                long columnStride = a.ColumnStride;
                for (int p = 0; p < depth; p++)
                {
                    float* column = src + (p * columnStride);
                    float* d = dst + ((long)p * sliverRows);
                    for (int r = 0; r < sliverRows; r++)
                    {
                        d[r] = column[r * step];
                    }
                }
            }
            else
            {
                for (int r = 0; r < live; r++)
                {
                    float* src = a.At(row0 + s + r, col0);
                    long step = a.ColumnStride;
                    float* d = dst + r;
                    for (int p = 0; p < depth; p++)
                    {
                        d[(long)p * sliverRows] = src[p * step];
                    }
                }

                for (int r = live; r < sliverRows; r++)
                {
                    for (int p = 0; p < depth; p++)
                    {
                        dst[((long)p * sliverRows) + r] = 0;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whole slivers of Aᵀ stored row-major (op(A)(i, p) at source[p·stride + i]): for each step p the slivers'
    /// values are one contiguous run of the source row, copied out a vector at a time. Eight slivers at a time
    /// walk p together, so each source row is read in runs of several cache lines instead of 48 bytes per page
    /// as a sliver-by-sliver walk does: 0.78 -> 0.37 ns per packed float at 1024 (more slivers at once, up to
    /// all of them, measured slower: too many store streams; up to 1.5 ns at 2048).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedWholeSlivers(float* source, long stride, int rows, int depth, int sliverRows, float* destination)
    {
        long sliverFloats = (long)sliverRows * depth;
        int chunk = 8 * sliverRows;
        for (int s0 = 0; s0 < rows; s0 += chunk)
        {
            int end = Math.Min(rows, s0 + chunk);
            for (int p = 0; p < depth; p++)
            {
                float* src = source + (p * stride);
                float* d = destination + ((long)p * sliverRows) + ((long)s0 * depth);
                for (int s = s0; s < end; s += sliverRows)
                {
                    for (int r = 0; r < sliverRows; r += 4)
                    {
                        Vector128.Store(Vector128.Load(src + s + r), d + r);
                    }

                    d += sliverFloats;
                }
            }
        }
    }

    /// <summary>
    /// One full sliver of row-major A: blocks of rows × steps of p are loaded as vectors, transposed in registers and
    /// stored as k-major groups, instead of one scalar load and store per value (packing A measured ~6 % of a
    /// 1024³ multiply that way). With AVX, 8×8 blocks (rows in eights, then fours) halve the shuffles and
    /// memory operations per value of the SSE 4×4 blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackRowMajorSliverByTransposes(float* source, long rowStride, int depth, int sliverRows, float* destination)
    {
        int p = 0;
        if (Avx.IsSupported)
        {
            for (; p <= depth - 8; p += 8)
            {
                float* d = destination + ((long)p * sliverRows);
                int g = 0;
                for (; g <= sliverRows - 8; g += 8)
                {
                    Transpose8x8(source + (g * rowStride) + p, rowStride, d + g, sliverRows);
                }

                for (; g < sliverRows; g += 4)
                {
                    Transpose4x4(source + (g * rowStride) + p, rowStride, d + g, sliverRows);
                    Transpose4x4(source + (g * rowStride) + p + 4, rowStride, d + (4 * sliverRows) + g, sliverRows);
                }
            }
        }

        for (; p <= depth - 4; p += 4)
        {
            float* d = destination + ((long)p * sliverRows);
            for (int g = 0; g < sliverRows; g += 4)
            {
                Transpose4x4(source + (g * rowStride) + p, rowStride, d + g, sliverRows);
            }
        }

        for (; p < depth; p++)
        {
            float* d = destination + ((long)p * sliverRows);
            for (int r = 0; r < sliverRows; r++)
            {
                d[r] = source[(r * rowStride) + p];
            }
        }
    }

    /// <summary>Transposes 4 source rows × 4 values into 4 destination rows × 4 values (SSE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* source, long sourceStride, float* destination, long destinationStride)
    {
        var r0 = Sse.LoadVector128(source);
        var r1 = Sse.LoadVector128(source + sourceStride);
        var r2 = Sse.LoadVector128(source + (2 * sourceStride));
        var r3 = Sse.LoadVector128(source + (3 * sourceStride));
        var t0 = Sse.UnpackLow(r0, r1);
        var t1 = Sse.UnpackLow(r2, r3);
        var t2 = Sse.UnpackHigh(r0, r1);
        var t3 = Sse.UnpackHigh(r2, r3);
        Sse.Store(destination, Sse.MoveLowToHigh(t0, t1));
        Sse.Store(destination + destinationStride, Sse.MoveHighToLow(t1, t0));
        Sse.Store(destination + (2 * destinationStride), Sse.MoveLowToHigh(t2, t3));
        Sse.Store(destination + (3 * destinationStride), Sse.MoveHighToLow(t3, t2));
    }

    /// <summary>Transposes 8 source rows × 8 values into 8 destination rows × 8 values (AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, long sourceStride, float* destination, long destinationStride)
    {
        var r0 = Avx.LoadVector256(source);
        var r1 = Avx.LoadVector256(source + sourceStride);
        var r2 = Avx.LoadVector256(source + (2 * sourceStride));
        var r3 = Avx.LoadVector256(source + (3 * sourceStride));
        var r4 = Avx.LoadVector256(source + (4 * sourceStride));
        var r5 = Avx.LoadVector256(source + (5 * sourceStride));
        var r6 = Avx.LoadVector256(source + (6 * sourceStride));
        var r7 = Avx.LoadVector256(source + (7 * sourceStride));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(destination, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(destination + destinationStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(destination + (2 * destinationStride), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(destination + (3 * destinationStride), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(destination + (4 * destinationStride), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(destination + (5 * destinationStride), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(destination + (6 * destinationStride), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(destination + (7 * destinationStride), Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// Packs rows [row0, row0+depth) x columns [col0, col0+columns) of B into slivers of
    /// <paramref name="sliverColumns"/> columns: sliver s holds, for each p, B(row0 + p, col0 + s*sliverColumns + j).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(StridedMatrix b, int row0, int depth, int col0, int columns, int sliverColumns, float* destination)
    {
        if (b.ColumnStride == 1 && Vector128.IsHardwareAccelerated && sliverColumns % 4 == 0)
        {
            // Row-major B: walk each source row once, left to right, dealing vector-sized pieces out to the slivers.
            // Reading sliver by sliver instead touches a new page for every 128 bytes read and measured ~10 % of a
            // 1024³ multiply; this order streams the source and leaves only the last, partial sliver to the loop below.
            int whole = columns / sliverColumns * sliverColumns;
            for (int p = 0; p < depth; p++)
            {
                float* src = b.At(row0 + p, col0);
                if (p + BRowsAhead < depth && Sse.IsSupported)
                {
                    float* ahead = src + (BRowsAhead * b.RowStride);
                    for (int j = 0; j < whole; j += 16)
                    {
                        Sse.Prefetch0(ahead + j);
                    }
                }

                float* d = destination + ((long)p * sliverColumns);
                for (int s = 0; s < whole; s += sliverColumns)
                {
                    float* sliver = d + ((long)s * depth);
                    if (Vector512.IsHardwareAccelerated && sliverColumns % 16 == 0)
                    {
                        for (int j = 0; j < sliverColumns; j += 16)
                        {
                            Vector512.Store(Vector512.Load(src + s + j), sliver + j);
                        }
                    }
                    else if (Vector256.IsHardwareAccelerated && sliverColumns % 8 == 0)
                    {
                        for (int j = 0; j < sliverColumns; j += 8)
                        {
                            Vector256.Store(Vector256.Load(src + s + j), sliver + j);
                        }
                    }
                    else
                    {
                        for (int j = 0; j < sliverColumns; j += 4)
                        {
                            Vector128.Store(Vector128.Load(src + s + j), sliver + j);
                        }
                    }
                }
            }

            if (whole == columns)
            {
                return;
            }

            destination += (long)whole * depth;
            col0 += whole;
            columns -= whole;
        }

        for (int s = 0; s < columns; s += sliverColumns)
        {
            int live = Math.Min(sliverColumns, columns - s);
            float* dst = destination + ((long)s * depth);
            if (b.ColumnStride == 1)
            {
                // B row-major: each k row of the sliver is one contiguous run.
                for (int p = 0; p < depth; p++)
                {
                    float* src = b.At(row0 + p, col0 + s);
                    float* d = dst + ((long)p * sliverColumns);
                    int j = 0;
                    for (; j < live; j++)
                    {
                        d[j] = src[j];
                    }

                    for (; j < sliverColumns; j++)
                    {
                        d[j] = 0;
                    }
                }
            }
            else if (live == sliverColumns && sliverColumns % 8 == 0 && Avx.IsSupported)
            {
                PackTransposedSliverByTransposes(b.At(row0, col0 + s), b.ColumnStride, depth, sliverColumns, dst);
            }
            else if (live == sliverColumns)
            {
                // Bᵀ stored row-major: read the sliver's columns (rows in memory) side by side and write the packed
                // sliver sequentially; the source lines stay in L1 for 16 steps of p.
                float* src = b.At(row0, col0 + s);
                long step = b.ColumnStride;
                long rowStride = b.RowStride;
                for (int p = 0; p < depth; p++)
                {
                    float* row = src + (p * rowStride);
                    float* d = dst + ((long)p * sliverColumns);
                    for (int j = 0; j < sliverColumns; j++)
                    {
                        d[j] = row[j * step];
                    }
                }
            }
            else
            {
                // Partial sliver of Bᵀ: walk each column of B (a row in memory) and scatter it down the sliver.
                for (int j = 0; j < live; j++)
                {
                    float* src = b.At(row0, col0 + s + j);
                    long step = b.RowStride;
                    float* d = dst + j;
                    for (int p = 0; p < depth; p++)
                    {
                        d[(long)p * sliverColumns] = src[p * step];
                    }
                }

                for (int j = live; j < sliverColumns; j++)
                {
                    for (int p = 0; p < depth; p++)
                    {
                        dst[((long)p * sliverColumns) + j] = 0;
                    }
                }
            }
        }
    }

    /// <summary>
    /// One full sliver of Bᵀ stored row-major (op(B)(p, j) at source[j·stride + p]): 8×8 blocks (8 columns × 8
    /// steps of p) are loaded as eight 256-bit rows, transposed in registers and stored as eight k-major pieces,
    /// instead of one scalar load and store per value (measured 0.88 ns per packed float that way at 1024).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposedSliverByTransposes(float* source, long stride, int depth, int sliverColumns, float* destination)
    {
        int p = 0;
        for (; p <= depth - 8; p += 8)
        {
            float* d = destination + ((long)p * sliverColumns);
            for (int g = 0; g < sliverColumns; g += 8)
            {
                Transpose8x8(source + (g * stride) + p, stride, d + g, sliverColumns);
            }
        }

        for (; p < depth; p++)
        {
            float* d = destination + ((long)p * sliverColumns);
            for (int j = 0; j < sliverColumns; j++)
            {
                d[j] = source[(j * stride) + p];
            }
        }
    }
}
