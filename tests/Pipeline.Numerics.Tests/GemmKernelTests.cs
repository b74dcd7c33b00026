using Pipeline.Numerics.Kernels;

namespace Pipeline.Numerics.Tests;

/// <summary>
/// Every micro-kernel the machine supports, in all three shapes, against the naive reference. CI reruns these
/// with DOTNET_EnableAVX512F=0 and DOTNET_EnableHWIntrinsic=0 (filter Category=Kernels) so the narrower
/// dispatch paths are covered as the default, too.
/// </summary>
[Trait("Category", "Kernels")]
public class GemmKernelTests
{
    private static readonly int[] OddSizes = [1, 3, 17, 63, 65, 257];

    public static TheoryData<KernelKind, bool, bool> KernelsAndShapes()
    {
        var data = new TheoryData<KernelKind, bool, bool>();
        foreach (var kind in Enum.GetValues<KernelKind>())
        {
            if (!KernelSelection.IsSupported(kind))
            {
                continue;
            }

            data.Add(kind, false, false);
            data.Add(kind, false, true);
            data.Add(kind, true, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void Every_length_0_to_256_in_each_dimension_matches_the_reference(KernelKind kind, bool transposeA, bool transposeB)
    {
        for (int length = 0; length <= 256; length++)
        {
            Check(kind, length, 7, 5, transposeA, transposeB, accumulate: false, threads: 1);
            Check(kind, 5, length, 7, transposeA, transposeB, accumulate: false, threads: 1);
            Check(kind, 7, 5, length, transposeA, transposeB, accumulate: false, threads: 1);
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void Odd_shapes_match_the_reference(KernelKind kind, bool transposeA, bool transposeB)
    {
        foreach (int m in OddSizes)
        {
            foreach (int k in OddSizes)
            {
                foreach (int n in OddSizes)
                {
                    if ((long)m * k * n > 1_200_000)
                    {
                        continue;
                    }

                    Check(kind, m, k, n, transposeA, transposeB, accumulate: false, threads: 2);
                }
            }
        }

        // Shapes that cross several k blocks, row blocks and column splits at once.
        Check(kind, 257, 513, 65, transposeA, transposeB, accumulate: false, threads: 2);
        Check(kind, 65, 300, 257, transposeA, transposeB, accumulate: true, threads: 2);
    }

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void Shapes_wider_than_one_packed_B_block_match_the_reference(KernelKind kind, bool transposeA, bool transposeB)
    {
        // More columns than one L2 block of packed B, several k blocks, ragged row and column edges, and
        // enough rows that a parallel multiply also cuts them into ranges.
        Check(kind, 29, 1030, 1061, transposeA, transposeB, accumulate: false, threads: 1);
        Check(kind, 37, 1030, 545, transposeA, transposeB, accumulate: true, threads: 3);
        Check(kind, 1001, 70, 45, transposeA, transposeB, accumulate: false, threads: 2);
    }

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void Last_slivers_of_4_and_8_rows_match_the_reference(KernelKind kind, bool transposeA, bool transposeB)
    {
        // m = 12q + 4 or 12q + 8 sends the last sliver to the AVX-512 kernel's 4- and 8-row forms: straight into C
        // when its columns are whole (n = 96), through the scratch tile when they are not (n = 100); two k blocks
        // (k = 600), so the second accumulates onto the first.
        foreach (int m in new[] { 4, 8, 16, 20, 44 })
        {
            foreach (int n in new[] { 96, 100 })
            {
                Check(kind, m, 600, n, transposeA, transposeB, accumulate: false, threads: 1);
                Check(kind, m, 600, n, transposeA, transposeB, accumulate: true, threads: 2);
            }
        }
    }

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void Accumulate_adds_to_the_existing_values(KernelKind kind, bool transposeA, bool transposeB)
    {
        Check(kind, 17, 63, 65, transposeA, transposeB, accumulate: true, threads: 1);
        Check(kind, 63, 1, 17, transposeA, transposeB, accumulate: true, threads: 2);
        Check(kind, 3, 0, 3, transposeA, transposeB, accumulate: true, threads: 1);
        Check(kind, 3, 0, 3, transposeA, transposeB, accumulate: false, threads: 1);
    }

    [Theory]
    [MemberData(nameof(KernelsAndShapes))]
    public void Results_are_bit_identical_for_any_thread_count(KernelKind kind, bool transposeA, bool transposeB)
    {
        const int m = 300, k = 530, n = 190;
        var a = NaiveReference.RandomMatrix(m * k, 11);
        var b = NaiveReference.RandomMatrix(k * n, 12);
        var one = new float[m * n];
        Gemm.Run(a, b, one, m, k, n, transposeA, transposeB, accumulate: false, degreeOfParallelism: 1, kind);
        foreach (int threads in new[] { 2, 3, 4 })
        {
            var many = new float[m * n];
            Gemm.Run(a, b, many, m, k, n, transposeA, transposeB, accumulate: false, threads, kind);
            Assert.Equal(one, many);
        }
    }

    [Fact]
    public void Public_shortcuts_use_the_documented_layouts()
    {
        // A = [[1,2],[3,4]], B = [[5,6],[7,8]]
        float[] a = [1, 2, 3, 4];
        float[] b = [5, 6, 7, 8];
        var c = new float[4];
        Gemm.Multiply(a, b, c, 2, 2, 2);
        Assert.Equal([19f, 22, 43, 50], c);
        Gemm.MultiplyTransposeB(a, b, c, 2, 2, 2);
        Assert.Equal([17f, 23, 39, 53], c);
        Gemm.MultiplyTransposeA(a, b, c, 2, 2, 2);
        Assert.Equal([26f, 30, 38, 44], c);
    }

    [Fact]
    public void Too_short_spans_are_refused()
    {
        var c = new float[4];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[3], new float[4], c, 2, 2, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[4], new float[3], c, 2, 2, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[4], new float[4], new float[3], 2, 2, 2));
    }

    private static void Check(KernelKind kind, int m, int k, int n, bool transposeA, bool transposeB, bool accumulate, int threads)
    {
        int seed = (m * 7919) + (k * 104729) + n;
        var a = NaiveReference.RandomMatrix(m * k, seed);
        var b = NaiveReference.RandomMatrix(k * n, seed + 1);
        var c = NaiveReference.RandomMatrix(m * n, seed + 2);
        var expected = NaiveReference.Multiply(a, b, accumulate ? c : null, m, k, n, transposeA, transposeB);
        Gemm.Run(a, b, c, m, k, n, transposeA, transposeB, accumulate, threads, kind);
        for (int i = 0; i < c.Length; i++)
        {
            double tolerance = (2e-6 * (k + 2) * expected.Magnitudes[i]) + 1e-6;
            double error = Math.Abs(c[i] - expected.Values[i]);
            if (error > tolerance)
            {
                Assert.Fail($"{kind} {m}x{k}x{n} tA={transposeA} tB={transposeB} acc={accumulate}: C[{i / n},{i % n}] = {c[i]}, expected {expected.Values[i]} (error {error:E2} > {tolerance:E2})");
            }
        }
    }
}
