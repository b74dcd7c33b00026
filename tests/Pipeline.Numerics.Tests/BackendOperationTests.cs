using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Tests;

/// <summary>Every backend operation against the scalar reference backend (the shared backend suite).</summary>
[Trait("Category", "Kernels")]
public class BackendOperationTests
{
    public static TheoryData<string> Names() => Backends.All();

    [Theory]
    [MemberData(nameof(Names))]
    public void MatMul_matches_the_reference_in_all_three_shapes(string name)
    {
        var backend = Backends.Create(name);
        // Includes the unpacked small-product shapes of the CPU backend (k ≤ 16 or m ≤ 8 with n a multiple of 16;
        // n = 1 and k = 1 with whole 64-wide blocks, 16-wide vectors and scalar tails).
        foreach (var (m, k, n) in new[]
        {
            (1, 1, 1), (3, 17, 5), (17, 3, 1), (33, 65, 18), (1, 40, 70), (70, 1, 9), (37, 5, 64), (5, 200, 48), (9, 16, 256), (8, 3, 16),
            (5, 200, 64), (7, 30, 144), (2, 33, 80), (37, 70, 1), (130, 20, 1), (5, 1, 70), (3, 1, 64),
        })
        {
            foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false) })
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    var a = NaiveReference.RandomMatrix(m * k, m + k);
                    var b = NaiveReference.RandomMatrix(k * n, k + n);
                    var expected = NaiveReference.RandomMatrix(m * n, 5);
                    var actual = (float[])expected.Clone();
                    ReferenceBackend.Instance.MatMul(a, b, expected, m, k, n, ta, tb, accumulate);
                    backend.MatMul(a, b, actual, m, k, n, ta, tb, accumulate);
                    AssertClose(expected, actual, 1e-4f, $"{name} {m}x{k}x{n} {ta}/{tb} accumulate={accumulate}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Bias_add_and_row_sums_match_the_reference(string name)
    {
        var backend = Backends.Create(name);
        const int rows = 13, columns = 37;
        var matrix = NaiveReference.RandomMatrix(rows * columns, 1);
        var bias = NaiveReference.RandomMatrix(columns, 2);
        var expected = (float[])matrix.Clone();
        ReferenceBackend.Instance.AddBias(expected, bias, rows, columns);
        backend.AddBias(matrix, bias, rows, columns);
        AssertClose(expected, matrix, 1e-6f, "bias");

        var expectedSums = new float[columns];
        var sums = new float[columns];
        ReferenceBackend.Instance.SumRows(matrix, rows, columns, expectedSums, accumulate: false);
        backend.SumRows(matrix, rows, columns, sums, accumulate: false);
        AssertClose(expectedSums, sums, 1e-5f, "row sums");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Activations_match_the_reference(string name)
    {
        var backend = Backends.Create(name);
        foreach (var activation in Enum.GetValues<Activation>())
        {
            var z = NaiveReference.RandomMatrix(301, 3);
            var g = NaiveReference.RandomMatrix(301, 4);
            var expected = new float[z.Length];
            var actual = new float[z.Length];
            ReferenceBackend.Instance.Activate(activation, z, expected);
            backend.Activate(activation, z, actual);
            AssertClose(expected, actual, 1e-5f, $"{activation} forward");
            var expectedGradient = new float[z.Length];
            var actualGradient = new float[z.Length];
            ReferenceBackend.Instance.ActivationBackward(activation, z, expected, g, expectedGradient);
            backend.ActivationBackward(activation, z, actual, g, actualGradient);
            AssertClose(expectedGradient, actualGradient, 1e-5f, $"{activation} backward");
        }
    }

    /// <summary>
    /// The fused layer steps give exactly what the two operations give one after the other on the same backend,
    /// and match the reference, for every activation: one row, a block and a partial block of rows, rows wider
    /// than one block (the CPU backend works in blocks of about 16 KiB of rows).
    /// </summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Fused_layer_steps_equal_their_two_operations(string name)
    {
        var backend = Backends.Create(name);
        IComputeBackend reference = ReferenceBackend.Instance;
        foreach (var activation in Enum.GetValues<Activation>())
        {
            foreach (var (rows, columns) in new[] { (1, 1), (13, 37), (300, 64), (7, 1), (3, 4099) })
            {
                int size = rows * columns;
                string what = $"{name} {activation} {rows}x{columns}";
                var z = NaiveReference.RandomMatrix(size, rows + columns);
                var bias = NaiveReference.RandomMatrix(columns, 2);
                var gradOut = NaiveReference.RandomMatrix(size, 4);

                // Forward: z += bias, a = f(z).
                var fusedZ = (float[])z.Clone();
                var fusedA = new float[size];
                backend.AddBiasAndActivate(activation, fusedZ, bias, fusedA, rows, columns);
                var twoStepZ = (float[])z.Clone();
                var twoStepA = new float[size];
                backend.AddBias(twoStepZ, bias, rows, columns);
                if (activation != Activation.Identity)
                {
                    backend.Activate(activation, twoStepZ, twoStepA);
                }

                Assert.Equal(twoStepZ, fusedZ);
                Assert.Equal(twoStepA, fusedA);
                var referenceZ = (float[])z.Clone();
                var referenceA = new float[size];
                reference.AddBiasAndActivate(activation, referenceZ, bias, referenceA, rows, columns);
                AssertClose(referenceZ, fusedZ, 1e-6f, $"{what} bias");
                AssertClose(referenceA, fusedA, 1e-5f, $"{what} forward");

                // Backward: dZ = dA ⊙ f'(z), in place as the trainer calls it; db = column sums of dZ.
                var fusedGradient = (float[])gradOut.Clone();
                var fusedBiasGradient = NaiveReference.RandomMatrix(columns, 9);
                backend.ActivationBackwardAndSumRows(activation, fusedZ, fusedA, fusedGradient, fusedGradient, fusedBiasGradient, rows, columns);
                var twoStepGradient = (float[])gradOut.Clone();
                var twoStepBiasGradient = new float[columns];
                backend.ActivationBackward(activation, twoStepZ, twoStepA, twoStepGradient, twoStepGradient);
                backend.SumRows(twoStepGradient, rows, columns, twoStepBiasGradient, accumulate: false);
                Assert.Equal(twoStepGradient, fusedGradient);
                Assert.Equal(twoStepBiasGradient, fusedBiasGradient);
                var referenceGradient = (float[])gradOut.Clone();
                var referenceBiasGradient = new float[columns];
                reference.ActivationBackwardAndSumRows(
                    activation, referenceZ, referenceA, referenceGradient, referenceGradient, referenceBiasGradient, rows, columns);
                AssertClose(referenceGradient, fusedGradient, 1e-5f, $"{what} backward");
                AssertClose(referenceBiasGradient, fusedBiasGradient, 1e-4f, $"{what} bias gradient");
            }
        }
    }

    /// <summary>The unpacked thin-shape paths work on pointers: an operand shorter than its shape is refused first.</summary>
    [Theory]
    [InlineData(37, 70, 1, false)]
    [InlineData(130, 20, 1, true)]
    [InlineData(5, 1, 70, false)]
    [InlineData(37, 5, 64, false)]
    [InlineData(5, 200, 64, true)]
    public void Cpu_matmul_refuses_operands_shorter_than_their_shape(int m, int k, int n, bool transposeA)
    {
        var backend = new CpuBackend(1);
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        Assert.Throws<ArgumentException>(() => backend.MatMul(a.AsSpan(1), b, c, m, k, n, transposeA, false, false));
        Assert.Throws<ArgumentException>(() => backend.MatMul(a, b.AsSpan(1), c, m, k, n, transposeA, false, false));
        Assert.Throws<ArgumentException>(() => backend.MatMul(a, b, c.AsSpan(1), m, k, n, transposeA, false, false));
        backend.MatMul(a, b, c, m, k, n, transposeA, false, false);
    }

    internal static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > tolerance * (1 + Math.Abs(expected[i])))
            {
                Assert.Fail($"{what}: [{i}] = {actual[i]}, expected {expected[i]}");
            }
        }
    }
}
