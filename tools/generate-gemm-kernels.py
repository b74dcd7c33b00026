#!/usr/bin/env python3
# Writes src/Numerics/Kernels/Vector{512,256,128}Kernel.cs and ScalarKernel.cs: fully unrolled register-blocked
# micro-kernels (one local per accumulator). usage: tools/generate-gemm-kernels.py src/Numerics/Kernels [MR512 NV512 UNROLL]
# Writes the unrolled register-blocked micro-kernels (one accumulator variable per register).
def vec_kernel(cls, vt, vstat, width, mr, nv, doc, prefetch=True, unroll=1, partial_rows=()):
    nr = width * nv
    L = []
    w = L.append
    w("using System.Runtime.CompilerServices;")
    w("using System.Runtime.Intrinsics;")
    if prefetch:
        w("using System.Runtime.Intrinsics.X86;")
    w("")
    w("namespace Pipeline.Numerics.Kernels;")
    w("")
    w("/// <summary>")
    for d in doc: w(f"/// {d}")
    w("/// </summary>")
    w(f"internal static unsafe class {cls}")
    w("{")
    w(f"    /// <summary>Rows of C computed per call (the packed A sliver height).</summary>")
    w(f"    public const int Rows = {mr};")
    w("")
    w(f"    /// <summary>Columns of C computed per call (the packed B sliver width).</summary>")
    w(f"    public const int Columns = {nr};")
    w("")
    def emit_body(rows):
        if prefetch:
            w("        // Start pulling the C tile towards L1 now; the k loop hides the latency that would otherwise stall")
            w("        // the epilogue's loads (C rows are a page apart and usually sit in L2 or L3). A tile that is only")
            w("        // stored (the first k block) is not fetched: the store buffer absorbs those misses, and the burst")
            w("        // would hold line-fill buffers the B stream needs (12x32 kernel: +0.3-1 % on one thread, in-process A/B).")
            w("        if (Sse.IsSupported && accumulate)")
            w("        {")
            for r in range(rows):
                for off in range(0, nr, 16):
                    w(f"            Sse.Prefetch0(c + {off} + ((long)ldc * {r}));")
            w("        }")
            w("")
        for r in range(rows):
            w("        " + " ".join(f"{vt} c{r}_{v} = {vt}.Zero;" for v in range(nv)))
        def spread(indent):
            if not prefetch:
                return
            w(f"{indent}if (Sse.IsSupported && p >= nextPrefetch && prefetchLines > 0)")
            w(f"{indent}{{")
            w(f"{indent}    Sse.Prefetch1(prefetch);")
            w(f"{indent}    prefetch += 64;")
            w(f"{indent}    prefetchLines--;")
            w(f"{indent}    nextPrefetch += prefetchEvery;")
            w(f"{indent}}}")
            w("")
        def step(indent, ao, bo):
            for v in range(nv):
                w(f"{indent}{vt} b{v} = {vstat}.Load(b + {bo + v * width});")
            for r in range(rows):
                w(f"{indent}{vt} a{r} = {vstat}.Create(a[{ao + r}]);")
                for v in range(nv):
                    w(f"{indent}c{r}_{v} = {vstat}.FusedMultiplyAdd(a{r}, b{v}, c{r}_{v});")
        if prefetch:
            w("        int prefetchEvery = prefetchLines > 0 ? Math.Max(1, kc / prefetchLines) : int.MaxValue;")
            w("        int nextPrefetch = 0;")
        if unroll > 1:
            w("        int p = 0;")
            w(f"        for (; p <= kc - {unroll}; p += {unroll})")
            w("        {")
            spread("            ")
            for u in range(unroll):
                w("            {")
                step("                ", u * mr, u * nr)
                w("            }")
                w("")
            w(f"            a += {mr * unroll};")
            w(f"            b += {nr * unroll};")
            w("        }")
            w("")
            w("        for (; p < kc; p++)")
        else:
            w("        for (int p = 0; p < kc; p++)")
        w("        {")
        if unroll == 1:
            spread("            ")
        step("            ", 0, 0)
        w(f"            a += {mr};")
        w(f"            b += {nr};")
        w("        }")
        w("")
        w("        if (accumulate)")
        w("        {")
        for r in range(rows):
            for v in range(nv):
                w(f"            {vstat}.Store({vstat}.Load(c + {v * width}) + c{r}_{v}, c + {v * width});")
            if r < rows - 1: w("            c += ldc;")
        w("        }")
        w("        else")
        w("        {")
        for r in range(rows):
            for v in range(nv):
                w(f"            {vstat}.Store(c{r}_{v}, c + {v * width});")
            if r < rows - 1: w("            c += ldc;")
        w("        }")
        w("    }")

    def emit(rows, name):
        w("    /// <summary>")
        if rows < mr:
            w(f"    /// The first {rows} rows of <see cref=\"Run\"/>'s tile, for the last sliver of an m that is not a multiple of Rows:")
            w(f"    /// the same packed A layout (Rows values per k step, the rest zero padding), only {rows} rows computed and")
            w("    /// stored, so the tile goes straight to C without the scratch tile and merge.")
            w("    /// </summary>")
            w("    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]")
            w(f"    public static void {name}(float* a, float* b, int kc, float* c, int ldc, bool accumulate, byte* prefetch, int prefetchLines)")
            w("    {")
            emit_body(rows)
            return
        w("    /// C[0..Rows, 0..Columns] (+)= packed A sliver (kc x Rows, k-major) times packed B sliver (kc x Columns).")
        if prefetch:
            w("    /// Meanwhile <paramref name=\"prefetchLines\"/> cache lines from <paramref name=\"prefetch\"/> (the driver's next A")
            w("    /// sliver, which sits in L3) are pulled into L2, one every few k steps: spread over the loop they keep the")
            w("    /// line-fill buffers free for the B stream, where a burst before the call stalled it (+3 % at 2048³).")
        w("    /// Every accumulator is its own local so the JIT keeps them all in registers for the whole k loop;")
        w("    /// NoInlining + AggressiveOptimization sends the method straight to the optimising tier (tier 0 code")
        w("    /// or an OSR body here is several times slower).")
        w("    /// </summary>")
        w("    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]")
        if prefetch:
            w(f"    public static void {name}(float* a, float* b, int kc, float* c, int ldc, bool accumulate, byte* prefetch, int prefetchLines)")
        else:
            w(f"    public static void {name}(float* a, float* b, int kc, float* c, int ldc, bool accumulate)")
        w("    {")
        emit_body(rows)

    emit(mr, "Run")
    for rows in partial_rows:
        w("")
        emit(rows, f"RunRows{rows}")
    w("}")
    return "\n".join(L) + "\n"

def scalar_kernel(mr, nr):
    L = []; w = L.append
    w("using System.Runtime.CompilerServices;")
    w("")
    w("namespace Pipeline.Numerics.Kernels;")
    w("")
    w("/// <summary>")
    w("/// Scalar micro-kernel, used when no SIMD is hardware accelerated (e.g. DOTNET_EnableHWIntrinsic=0).")
    w("/// Same packed layout and blocking as the vector kernels, so the driver is shared.")
    w("/// </summary>")
    w("internal static unsafe class ScalarKernel")
    w("{")
    w(f"    /// <summary>Rows of C computed per call.</summary>")
    w(f"    public const int Rows = {mr};")
    w("")
    w(f"    /// <summary>Columns of C computed per call.</summary>")
    w(f"    public const int Columns = {nr};")
    w("")
    w("    /// <summary>C tile (+)= packed A sliver times packed B sliver.</summary>")
    w("    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]")
    w("    public static void Run(float* a, float* b, int kc, float* c, int ldc, bool accumulate)")
    w("    {")
    for r in range(mr):
        w("        " + " ".join(f"float c{r}_{j} = 0;" for j in range(nr)))
    w("        for (int p = 0; p < kc; p++)")
    w("        {")
    w("            " + " ".join(f"float b{j} = b[{j}];" for j in range(nr)))
    for r in range(mr):
        w(f"            float a{r} = a[{r}];")
        w("            " + " ".join(f"c{r}_{j} += a{r} * b{j};" for j in range(nr)))
    w(f"            a += {mr};")
    w(f"            b += {nr};")
    w("        }")
    w("")
    for r in range(mr):
        for j in range(nr):
            w(f"        c[{j}] = accumulate ? c[{j}] + c{r}_{j} : c{r}_{j};")
        if r < mr - 1: w("        c += ldc;")
    w("    }")
    w("}")
    return "\n".join(L) + "\n"

import sys
out = sys.argv[1]

# Marks the files as generated for readers and for the analyzers (which skip generated code).
HEADER = "// <auto-generated>\n// Written by tools/generate-gemm-kernels.py: change the generator and run it again, do not edit this file.\n// </auto-generated>\n"
mr512 = int(sys.argv[2]) if len(sys.argv) > 2 else 12
nv512 = int(sys.argv[3]) if len(sys.argv) > 3 else 2
unroll512 = int(sys.argv[4]) if len(sys.argv) > 4 else 2
open(f"{out}/Vector512Kernel.cs","w").write(HEADER + vec_kernel("Vector512Kernel","Vector512<float>","Vector512",16,mr512,nv512,
  [f"AVX-512 micro-kernel: {mr512} rows x {16*nv512} columns ({mr512*nv512} zmm accumulators of the 32 registers, {nv512} for B, 1 broadcast), k loop unrolled {unroll512}x (measured +0.2-1 % over 1x in one process)."], unroll=unroll512,
  partial_rows=range(4, mr512, 4)))
open(f"{out}/Vector256Kernel.cs","w").write(HEADER + vec_kernel("Vector256Kernel","Vector256<float>","Vector256",8,6,2,
  ["AVX2/FMA micro-kernel: 6 rows x 16 columns (12 ymm accumulators, 2 for B, 1 broadcast: fits 16 registers)."]))
open(f"{out}/Vector128Kernel.cs","w").write(HEADER + vec_kernel("Vector128Kernel","Vector128<float>","Vector128",4,6,2,
  ["SSE/NEON micro-kernel: 6 rows x 8 columns (12 xmm accumulators, 2 for B, 1 broadcast: fits 16 registers)."]))
open(f"{out}/ScalarKernel.cs","w").write(HEADER + scalar_kernel(4,4))
