using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pipeline.Numerics.Threading;

namespace Pipeline.Numerics.Kernels;

/// <summary>
/// Blocked GEMM in the BLIS loop order. A is packed once, whole, into row slivers (in parallel). C is cut into
/// column blocks (and, when threads need more work, row ranges); a task packs the block of B for one k block at
/// a time into its own buffer, sized to stay in L2 (KC x NC), and reuses it across every row sliver of its rows:
/// each A sliver (MR x KC) is swept across all B slivers of the block, so the micro-kernel streams B from L2 while
/// the A sliver and the C tiles stay close. B is read from memory once per row range, not once per row block.
/// The k dimension is never split between tasks and the k blocking depends only on k, so every C element is
/// produced by the same sequence of kernel calls whatever the thread count: results are bit-identical for any
/// degree of parallelism.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>
    /// Longest k block; k is cut into equal blocks no longer than this (depends on k only, never on threads).
    /// Settable for the bench's in-process tuning sweeps only; a change alters how k is summed, so never mid-training.
    /// </summary>
    internal static int DepthBlock { get; set; } = TuningKnob("PIPELINE_GEMM_KC", 512);

    /// <summary>Widest block of packed B (KC x this) a task keeps in L2 and sweeps every A sliver across.</summary>
    internal static int ColumnBlock { get; set; } = TuningKnob("PIPELINE_GEMM_NC", 512);

    /// <summary>
    /// Tasks per thread a parallel multiply is cut into. More tasks absorb a thread slowed by other work, but each
    /// extra column block re-reads packed A from L3 and shortens the sweeps: on 2 vCPUs one task per thread measured
    /// 297 against 244 GFLOP/s (1024³) and won on the wide MLP's shapes too.
    /// </summary>
    internal static readonly int TasksPerThread = TuningKnob("PIPELINE_GEMM_TASKS_PER_THREAD", 1);

    /// <summary>Below this many multiply-adds a dispatch to the worker pool costs more than it saves.</summary>
    private const long ParallelThreshold = 64L * 64 * 64;

    /// <summary>Fewest row slivers a task sweeps a packed B block across (packing B costs one copy per task).</summary>
    private const int MinimumSliversPerRowRange = 8;

    [ThreadStatic]
    private static GemmJob? t_job;

    [ThreadStatic]
    private static PackingBuffer? t_packedA;

    [ThreadStatic]
    private static PackingBuffer? t_packedB;

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
        int kBlocks = (k + DepthBlock - 1) / DepthBlock;
        int depthBlock = (k + kBlocks - 1) / kBlocks;
        kBlocks = (k + depthBlock - 1) / depthBlock;
        int rowSlivers = (m + mr - 1) / mr;
        int columnSlivers = (n + nr - 1) / nr;

        job.Kind = kind;
        job.A = a;
        job.B = b;
        job.C = c;
        job.M = m;
        job.K = k;
        job.N = n;
        job.Accumulate = accumulate;
        job.DepthBlock = depthBlock;
        job.KBlocks = kBlocks;
        job.PaddedM = rowSlivers * mr;
        job.PackedA = (t_packedA ??= new PackingBuffer()).Get((long)job.PaddedM * k);

        bool parallel = degreeOfParallelism > 1 && (long)m * n * k >= ParallelThreshold;
        var pool = parallel ? WorkerPools.Get(degreeOfParallelism) : null;
        int threads = pool?.Concurrency ?? 1;
        int wantedTasks = threads == 1 ? 1 : threads * TasksPerThread;

        // Column blocks: as wide as L2 allows, narrower when that leaves threads idle (a narrower block costs
        // nothing but another pass over the packed A, which streams well); then row ranges if still short.
        int columnBlocks = (columnSlivers + Math.Max(1, ColumnBlock / nr) - 1) / Math.Max(1, ColumnBlock / nr);
        columnBlocks = Math.Min(columnSlivers, Math.Max(columnBlocks, wantedTasks));
        int slivers = (columnSlivers + columnBlocks - 1) / columnBlocks;
        columnBlocks = (columnSlivers + slivers - 1) / slivers;
        int rowRanges = Math.Clamp((wantedTasks + columnBlocks - 1) / columnBlocks, 1, Math.Max(1, rowSlivers / MinimumSliversPerRowRange));
        int rowSliversPerRange = (rowSlivers + rowRanges - 1) / rowRanges;
        rowRanges = (rowSlivers + rowSliversPerRange - 1) / rowSliversPerRange;
        job.ColumnSliversPerBlock = slivers;
        job.ColumnBlocks = columnBlocks;
        job.RowSliversPerRange = rowSliversPerRange;

        // Packing A: whole k blocks cut into row pieces, enough pieces for every thread.
        int pieces = Math.Clamp((wantedTasks + kBlocks - 1) / kBlocks, 1, rowSlivers);
        job.RowSliversPerPiece = (rowSlivers + pieces - 1) / pieces;
        job.PackPieces = (rowSlivers + job.RowSliversPerPiece - 1) / job.RowSliversPerPiece;

        int packTasks = kBlocks * job.PackPieces;
        int computeTasks = columnBlocks * rowRanges;
        job.Phase = GemmPhase.PackA;
        if (pool is null)
        {
            for (int t = 0; t < packTasks; t++)
            {
                job.Run(t);
            }

            job.Phase = GemmPhase.Compute;
            for (int t = 0; t < computeTasks; t++)
            {
                job.Run(t);
            }
        }
        else
        {
            pool.Run(job, packTasks);
            job.Phase = GemmPhase.Compute;
            pool.Run(job, computeTasks);
        }

        job.C = null;
    }

    /// <summary>Blocking sizes can be overridden by environment variables, for tuning experiments on new CPUs.</summary>
    private static int TuningKnob(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) && value > 0 ? value : fallback;

    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private enum GemmPhase
    {
        PackA,
        Compute,
    }

    /// <summary>The state of one multiply, reused per calling thread so a call allocates nothing.</summary>
    private sealed class GemmJob : IParallelBody
    {
        public KernelKind Kind;
        public StridedMatrix A;
        public StridedMatrix B;
        public float* C;
        public float* PackedA;
        public int M;
        public int K;
        public int N;
        public int PaddedM;
        public int DepthBlock;
        public int KBlocks;
        public int ColumnBlocks;
        public int ColumnSliversPerBlock;
        public int RowSliversPerRange;
        public int RowSliversPerPiece;
        public int PackPieces;
        public bool Accumulate;
        public GemmPhase Phase;

        public void Run(int taskIndex)
        {
            if (Phase == GemmPhase.PackA)
            {
                PackATask(taskIndex / PackPieces, taskIndex % PackPieces);
            }
            else
            {
                ComputeTask(taskIndex % ColumnBlocks, taskIndex / ColumnBlocks);
            }
        }

        /// <summary>Packed A holds k block kb at offset p0 · PaddedM; within it, sliver s at s · MR · depth.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackATask(int kBlock, int piece)
        {
            int mr = KernelSelection.Rows(Kind);
            int i0 = piece * RowSliversPerPiece * mr;
            int rows = Math.Min(RowSliversPerPiece * mr, M - i0);
            if (rows <= 0)
            {
                return;
            }

            int p0 = kBlock * DepthBlock;
            int depth = Math.Min(DepthBlock, K - p0);
            Packing.PackA(A, i0, rows, p0, depth, mr, PackedA + ((long)p0 * PaddedM) + ((long)i0 * depth));
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ComputeTask(int columnBlock, int rowRange)
        {
            int mr = KernelSelection.Rows(Kind);
            int nr = KernelSelection.Columns(Kind);
            int j0 = columnBlock * ColumnSliversPerBlock * nr;
            int columns = Math.Min(ColumnSliversPerBlock * nr, N - j0);
            int i0 = rowRange * RowSliversPerRange * mr;
            int rows = Math.Min(RowSliversPerRange * mr, M - i0);
            if (columns <= 0 || rows <= 0)
            {
                return;
            }

            int paddedColumns = RoundUp(columns, nr);
            float* packedB = (t_packedB ??= new PackingBuffer()).Get((long)paddedColumns * DepthBlock);
            float* edge = stackalloc float[mr * nr];

            for (int kb = 0; kb < KBlocks; kb++)
            {
                int p0 = kb * DepthBlock;
                int depth = Math.Min(DepthBlock, K - p0);
                bool accumulate = Accumulate || kb > 0;
                Packing.PackB(B, p0, depth, j0, columns, nr, packedB);
                float* aBlock = PackedA + ((long)p0 * PaddedM);

                // Each sweep of an A sliver across the B block also pulls the next A sliver from L3 into L2, a
                // slice per kernel call, so the next sweep does not start with misses (packed A is too large for L2).
                int sliverLines = ((mr * depth * sizeof(float)) + 63) / 64;
                int callsPerSweep = paddedColumns / nr;
                int linesPerCall = (sliverLines + callsPerSweep - 1) / callsPerSweep;
                for (int r = 0; r < rows; r += mr)
                {
                    int liveRows = Math.Min(mr, rows - r);
                    int kernelRows = KernelRows(Kind, liveRows);
                    float* aSliver = aBlock + ((long)(i0 + r) * depth);
                    byte* nextA = (byte*)(aSliver + (mr * depth));
                    int nextALines = r + mr < rows ? sliverLines : 0;
                    float* cRow = C + ((long)(i0 + r) * N) + j0;
                    for (int j = 0; j < columns; j += nr)
                    {
                        int liveColumns = Math.Min(nr, columns - j);
                        float* bSliver = packedB + ((long)j * depth);
                        int lines = Math.Min(linesPerCall, nextALines);
                        if (kernelRows == liveRows && liveColumns == nr)
                        {
                            // A whole tile, or a last sliver whose rows fill a smaller form of the kernel: straight to C.
                            RunKernelRows(Kind, kernelRows, aSliver, bSliver, depth, cRow + j, N, accumulate, nextA, lines);
                        }
                        else
                        {
                            // Partial tile: compute it into scratch, then merge only the live part.
                            RunKernelRows(Kind, kernelRows, aSliver, bSliver, depth, edge, nr, accumulate: false, nextA, lines);
                            MergeEdge(edge, nr, cRow + j, N, liveRows, liveColumns, accumulate);
                        }

                        nextA += lines * 64;
                        nextALines -= lines;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunKernel(
        KernelKind kind, float* a, float* b, int depth, float* c, int ldc, bool accumulate, byte* prefetch, int prefetchLines)
    {
        switch (kind)
        {
            case KernelKind.Vector512:
                Vector512Kernel.Run(a, b, depth, c, ldc, accumulate, prefetch, prefetchLines);
                break;
            case KernelKind.Vector256:
                Vector256Kernel.Run(a, b, depth, c, ldc, accumulate, prefetch, prefetchLines);
                break;
            case KernelKind.Vector128:
                Vector128Kernel.Run(a, b, depth, c, ldc, accumulate, prefetch, prefetchLines);
                break;
            default:
                ScalarKernel.Run(a, b, depth, c, ldc, accumulate);
                break;
        }
    }

    /// <summary>
    /// Rows of the smallest kernel that covers <paramref name="liveRows"/>: the AVX-512 kernel has 4- and 8-row
    /// forms for the last sliver (m = 512, 1024, 2048 leave 8, 4 and 8 rows there). With a whole 12-row tile plus a
    /// merge there, a 512- or 1024-row product ran 0.7-1.5 % slower per flop than one of 504 or 1020 rows; with these
    /// forms 0-0.3 % (<c>Pipeline.Bench tune --m 512,504 --k 1024 --n 1024</c>, and 1024,1020). The other kernels use
    /// their full tile.
    /// </summary>
    private static int KernelRows(KernelKind kind, int liveRows) =>
        kind == KernelKind.Vector512 && liveRows < Vector512Kernel.Rows ? RoundUp(liveRows, 4) : KernelSelection.Rows(kind);

    /// <summary>Runs the form of the kernel with <paramref name="rows"/> rows, as <see cref="KernelRows"/> chose it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunKernelRows(
        KernelKind kind, int rows, float* a, float* b, int depth, float* c, int ldc, bool accumulate, byte* prefetch, int prefetchLines)
    {
        if (rows == KernelSelection.Rows(kind))
        {
            RunKernel(kind, a, b, depth, c, ldc, accumulate, prefetch, prefetchLines);
        }
        else if (rows == 4)
        {
            Vector512Kernel.RunRows4(a, b, depth, c, ldc, accumulate, prefetch, prefetchLines);
        }
        else
        {
            Vector512Kernel.RunRows8(a, b, depth, c, ldc, accumulate, prefetch, prefetchLines);
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

}
