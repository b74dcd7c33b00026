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
    /// Packs rows [row0, row0+rows) x columns [col0, col0+depth) of A into slivers of <paramref name="sliverRows"/>
    /// rows: sliver s holds, for each p, the values A(row0 + s*sliverRows + r, col0 + p) for r in 0..sliverRows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(StridedMatrix a, int row0, int rows, int col0, int depth, int sliverRows, float* destination)
    {
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
    /// One full sliver of row-major A: 4×4 blocks (4 rows × 4 steps of p) are loaded as four vectors, transposed
    /// in registers and stored as four k-major groups, instead of one scalar load and store per value (packing A
    /// measured ~6 % of a 1024³ multiply).
    /// </summary>
    private static void PackRowMajorSliverByTransposes(float* source, long rowStride, int depth, int sliverRows, float* destination)
    {
        int p = 0;
        for (; p <= depth - 4; p += 4)
        {
            float* d = destination + ((long)p * sliverRows);
            for (int g = 0; g < sliverRows; g += 4)
            {
                float* row = source + (g * rowStride) + p;
                var r0 = Sse.LoadVector128(row);
                var r1 = Sse.LoadVector128(row + rowStride);
                var r2 = Sse.LoadVector128(row + (2 * rowStride));
                var r3 = Sse.LoadVector128(row + (3 * rowStride));
                var t0 = Sse.UnpackLow(r0, r1);
                var t1 = Sse.UnpackLow(r2, r3);
                var t2 = Sse.UnpackHigh(r0, r1);
                var t3 = Sse.UnpackHigh(r2, r3);
                Sse.Store(d + g, Sse.MoveLowToHigh(t0, t1));
                Sse.Store(d + sliverRows + g, Sse.MoveHighToLow(t1, t0));
                Sse.Store(d + (2 * sliverRows) + g, Sse.MoveLowToHigh(t2, t3));
                Sse.Store(d + (3 * sliverRows) + g, Sse.MoveHighToLow(t3, t2));
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

    /// <summary>
    /// Packs rows [row0, row0+depth) x columns [col0, col0+columns) of B into slivers of
    /// <paramref name="sliverColumns"/> columns: sliver s holds, for each p, B(row0 + p, col0 + s*sliverColumns + j).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(StridedMatrix b, int row0, int depth, int col0, int columns, int sliverColumns, float* destination)
    {
        if (b.ColumnStride == 1 && Vector512.IsHardwareAccelerated && sliverColumns % 16 == 0)
        {
            // Row-major B: walk each source row once, left to right, dealing 16-float pieces out to the slivers.
            // Reading sliver by sliver instead touches a new page for every 128 bytes read and measured ~10 % of a
            // 1024³ multiply; this order streams the source and leaves only the last, partial sliver to the loop below.
            int whole = columns / sliverColumns * sliverColumns;
            for (int p = 0; p < depth; p++)
            {
                float* src = b.At(row0 + p, col0);
                float* d = destination + ((long)p * sliverColumns);
                for (int s = 0; s < whole; s += sliverColumns)
                {
                    float* sliver = d + ((long)s * depth);
                    for (int j = 0; j < sliverColumns; j += 16)
                    {
                        Vector512.Store(Vector512.Load(src + s + j), sliver + j);
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
}
