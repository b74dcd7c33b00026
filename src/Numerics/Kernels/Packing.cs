using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
