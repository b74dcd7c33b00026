using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pipeline.Numerics.Threading;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// Goto-style blocked GEMM: B is packed once into k-major slivers (in parallel), then C is cut into
/// row-block x column-range tasks; each task packs its own block of A per k block and sweeps the micro-kernel
/// over it. The k dimension is never split between tasks and every C element is produced by the same sequence
/// of kernel calls whatever the thread count, so results are bit-identical for any degree of parallelism.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>
    /// Depth of one k block. 512 (B sliver 64 KiB, streamed from L2) beat 256 (L1-resident) here: half the passes
    /// over C outweigh the L2 reads (1024³ and 2048³, measured by thread CPU time on the shared benchmark machine).
    /// </summary>
    internal static readonly int DepthBlock = TuningKnob("PIPELINE_GEMM_KC", 512);

    /// <summary>Row block height in micro-kernel slivers: the packed A block (slivers·MR × KC) stays in L2.</summary>
    internal static readonly int SliversPerRowBlock = TuningKnob("PIPELINE_GEMM_MC_SLIVERS", 16);

    /// <summary>
    /// Widest column range one task sweeps: bounds the packed B block (KC × this) it streams per k block so that
    /// B, the task's A block and its C block can share L2.
    /// </summary>
    internal static readonly int MaxColumnsPerTask = TuningKnob("PIPELINE_GEMM_NC", 1024);

    /// <summary>Below this many multiply-adds a dispatch to the worker pool costs more than it saves.</summary>
    private const long ParallelThreshold = 64L * 64 * 64;

    [ThreadStatic]
    private static GemmJob? t_job;

    [ThreadStatic]
    private static PinnedBuffer? t_packedB;

    [ThreadStatic]
    private static PinnedBuffer? t_packedA;

    /// <summary>C[m x n] (+)= A[m x k] · B[k x n], with A and B given as strided views and C row-major (ldc = n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(
        KernelKind kind, StridedMatrix a, StridedMatrix b, float* c, int m, int k, int n, bool accumulate, int degreeOfParallelism)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            if (!accumulate)
            {
                new Span<float>(c, checked(m * n)).Clear();
            }

            return;
        }

        var job = t_job ??= new GemmJob();
        int mr = KernelSelection.Rows(kind);
        int nr = KernelSelection.Columns(kind);
        int paddedN = RoundUp(n, nr);
        job.Kind = kind;
        job.A = a;
        job.B = b;
        job.C = c;
        job.M = m;
        job.K = k;
        job.N = n;
        job.Accumulate = accumulate;
        job.RowBlock = mr * SliversPerRowBlock;
        job.PaddedN = paddedN;

        var packedB = t_packedB ??= new PinnedBuffer();
        job.PackedB = packedB.Get((long)paddedN * k);

        int rowBlocks = (m + job.RowBlock - 1) / job.RowBlock;
        int kBlocks = (k + DepthBlock - 1) / DepthBlock;
        bool parallel = degreeOfParallelism > 1 && (long)m * n * k >= ParallelThreshold;
        var pool = parallel ? WorkerPools.Get(degreeOfParallelism) : null;
        int threads = pool?.Concurrency ?? 1;

        // Enough column ranges that every thread gets work even when m is small; ranges are whole slivers.
        int slivers = paddedN / nr;
        int splitsForThreads = (2 * threads + rowBlocks - 1) / rowBlocks;
        int splitsForCache = (paddedN + MaxColumnsPerTask - 1) / MaxColumnsPerTask;
        int columnSplits = Math.Clamp(Math.Max(splitsForThreads, splitsForCache), 1, slivers);
        job.ColumnSplits = columnSplits;
        job.SliversPerSplit = (slivers + columnSplits - 1) / columnSplits;

        job.Phase = GemmPhase.PackB;
        int packTasks = kBlocks * columnSplits;
        job.KBlocks = kBlocks;
        job.RowBlocks = rowBlocks;
        if (pool is null)
        {
            for (int t = 0; t < packTasks; t++)
            {
                job.Run(t);
            }

            job.Phase = GemmPhase.Compute;
            for (int t = 0; t < rowBlocks * columnSplits; t++)
            {
                job.Run(t);
            }
        }
        else
        {
            pool.Run(job, packTasks);
            job.Phase = GemmPhase.Compute;
            pool.Run(job, rowBlocks * columnSplits);
        }

        job.C = null;
    }

    /// <summary>Blocking sizes can be overridden by environment variables, for tuning experiments on new CPUs.</summary>
    private static int TuningKnob(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) && value > 0 ? value : fallback;

    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    internal static float* PackBufferA(long floats) => (t_packedA ??= new PinnedBuffer()).Get(floats);

    private enum GemmPhase
    {
        PackB,
        Compute,
    }

    /// <summary>The state of one multiply, reused per calling thread so a call allocates nothing.</summary>
    private sealed class GemmJob : IParallelBody
    {
        public KernelKind Kind;
        public StridedMatrix A;
        public StridedMatrix B;
        public float* C;
        public float* PackedB;
        public int M;
        public int K;
        public int N;
        public int PaddedN;
        public int RowBlock;
        public int RowBlocks;
        public int KBlocks;
        public int ColumnSplits;
        public int SliversPerSplit;
        public bool Accumulate;
        public GemmPhase Phase;

        public void Run(int taskIndex)
        {
            if (Phase == GemmPhase.PackB)
            {
                PackBTask(taskIndex / ColumnSplits, taskIndex % ColumnSplits);
            }
            else
            {
                ComputeTask(taskIndex / ColumnSplits, taskIndex % ColumnSplits);
            }
        }

        private (int Start, int End) ColumnRange(int split)
        {
            int nr = KernelSelection.Columns(Kind);
            int start = split * SliversPerSplit * nr;
            int end = Math.Min(N, start + (SliversPerSplit * nr));
            return (start, end);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackBTask(int kBlock, int split)
        {
            var (start, end) = ColumnRange(split);
            if (start >= end)
            {
                return;
            }

            int p0 = kBlock * DepthBlock;
            int depth = Math.Min(DepthBlock, K - p0);
            float* destination = PackedB + ((long)p0 * PaddedN) + ((long)start * depth);
            Packing.PackB(B, p0, depth, start, end - start, KernelSelection.Columns(Kind), destination);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ComputeTask(int rowBlock, int split)
        {
            var (start, end) = ColumnRange(split);
            if (start >= end)
            {
                return;
            }

            int mr = KernelSelection.Rows(Kind);
            int nr = KernelSelection.Columns(Kind);
            int i0 = rowBlock * RowBlock;
            int rows = Math.Min(RowBlock, M - i0);
            int paddedRows = RoundUp(rows, mr);
            float* packedA = PackBufferA((long)RowBlock * DepthBlock);
            float* edge = stackalloc float[mr * nr];

            for (int kb = 0; kb < KBlocks; kb++)
            {
                int p0 = kb * DepthBlock;
                int depth = Math.Min(DepthBlock, K - p0);
                bool accumulate = Accumulate || kb > 0;
                Packing.PackA(A, i0, rows, p0, depth, mr, packedA);
                float* bBlock = PackedB + ((long)p0 * PaddedN);

                for (int j = start; j < end; j += nr)
                {
                    int liveColumns = Math.Min(nr, end - j);
                    float* bSliver = bBlock + ((long)j * depth);
                    for (int r = 0; r < paddedRows; r += mr)
                    {
                        int liveRows = Math.Min(mr, rows - r);
                        float* aSliver = packedA + ((long)r * depth);
                        float* cTile = C + ((long)(i0 + r) * N) + j;
                        if (liveRows == mr && liveColumns == nr)
                        {
                            RunKernel(Kind, aSliver, bSliver, depth, cTile, N, accumulate);
                        }
                        else
                        {
                            // Partial tile: compute the full tile into scratch, then merge only the live part.
                            RunKernel(Kind, aSliver, bSliver, depth, edge, nr, accumulate: false);
                            MergeEdge(edge, nr, cTile, N, liveRows, liveColumns, accumulate);
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunKernel(KernelKind kind, float* a, float* b, int depth, float* c, int ldc, bool accumulate)
    {
        switch (kind)
        {
            case KernelKind.Vector512:
                Vector512Kernel.Run(a, b, depth, c, ldc, accumulate);
                break;
            case KernelKind.Vector256:
                Vector256Kernel.Run(a, b, depth, c, ldc, accumulate);
                break;
            case KernelKind.Vector128:
                Vector128Kernel.Run(a, b, depth, c, ldc, accumulate);
                break;
            default:
                ScalarKernel.Run(a, b, depth, c, ldc, accumulate);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeEdge(float* tile, int tileStride, float* c, int ldc, int rows, int columns, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + ((long)r * tileStride);
            float* dst = c + ((long)r * ldc);
            for (int j = 0; j < columns; j++)
            {
                dst[j] = accumulate ? dst[j] + src[j] : src[j];
            }
        }
    }

    /// <summary>A grow-only pinned scratch array aligned to a cache line, so raw pointers into it stay valid.</summary>
    private sealed class PinnedBuffer
    {
        private float[] _array = [];
        private float* _aligned;

        public float* Get(long floats)
        {
            if (_array.Length < floats + 16)
            {
                _array = GC.AllocateUninitializedArray<float>(checked((int)floats + 16), pinned: true);
                var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
                _aligned = (float*)((start + 63) & ~(nuint)63);
            }

            return _aligned;
        }
    }
}
