using System.Globalization;
using Pipeline.Numerics;
using Pipeline.Numerics.Backends;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Bench;

/// <summary>
/// Every backend operation on odd shapes against the scalar reference, then a short training run against the SIMD
/// engine: the CUDA checks for a machine that has a GPU but no .NET SDK (bench/device-check.sh publishes this
/// bench self-contained for it). The unit tests cover the same ground where <c>dotnet test</c> can run.
/// <c>backend-check --backend cuda|ilgpu-cpu|cpu</c> prints one JSON line per failed check and a summary line;
/// exit code 0 when everything matched.
/// </summary>
internal static class BackendCheck
{
    private static readonly (int M, int K, int N)[] Shapes = [(1, 1, 1), (3, 17, 5), (17, 3, 63), (63, 65, 33), (257, 129, 67)];

    public static int Run(BenchArguments args)
    {
        string name = args.Value("--backend") ?? "auto";
        var backend = ComputeBackends.Create(name);
        try
        {
            var reference = ReferenceBackend.Instance;
            int checks = 0;
            var failures = new List<string>();
            var random = new DeterministicRandom(3);

            foreach (var (m, k, n) in Shapes)
            {
                foreach (bool transposeA in (bool[])[false, true])
                {
                    foreach (bool transposeB in (bool[])[false, true])
                    {
                        foreach (bool accumulate in (bool[])[false, true])
                        {
                            var a = Random(ref random, m * k);
                            var b = Random(ref random, k * n);
                            var expected = Random(ref random, m * n);
                            var actual = (float[])expected.Clone();
                            reference.MatMul(a, b, expected, m, k, n, transposeA, transposeB, accumulate);
                            backend.MatMul(a, b, actual, m, k, n, transposeA, transposeB, accumulate);
                            checks++;
                            Compare($"matmul {m}x{k}x{n} ta={transposeA} tb={transposeB} acc={accumulate}", expected, actual, 1e-4f * MathF.Sqrt(k), failures);
                        }
                    }
                }
            }

            const int rows = 37;
            const int columns = 129;
            foreach (var activation in Enum.GetValues<Activation>())
            {
                var z = Random(ref random, rows * columns, scale: 8);
                var g = Random(ref random, rows * columns);
                var (expectedA, actualA) = (new float[z.Length], new float[z.Length]);
                var (expectedD, actualD) = (new float[z.Length], new float[z.Length]);
                reference.Activate(activation, z, expectedA);
                backend.Activate(activation, z, actualA);
                reference.ActivationBackward(activation, z, expectedA, g, expectedD);
                backend.ActivationBackward(activation, z, expectedA, g, actualD);
                checks += 2;
                Compare($"{activation} forward", expectedA, actualA, 1e-5f, failures);
                Compare($"{activation} backward", expectedD, actualD, 1e-5f, failures);
            }

            var matrix = Random(ref random, rows * columns);
            var bias = Random(ref random, columns);
            var (expectedBias, actualBias) = ((float[])matrix.Clone(), (float[])matrix.Clone());
            reference.AddBias(expectedBias, bias, rows, columns);
            backend.AddBias(actualBias, bias, rows, columns);
            var (expectedSums, actualSums) = (new float[columns], new float[columns]);
            reference.SumRows(matrix, rows, columns, expectedSums, accumulate: false);
            backend.SumRows(matrix, rows, columns, actualSums, accumulate: false);
            checks += 2;
            Compare("add bias", expectedBias, actualBias, 1e-6f, failures);
            Compare("sum rows", expectedSums, actualSums, 1e-4f, failures);

            // Training end to end: the same seed MLP on this backend and on the SIMD engine ends at the same loss.
            int trainRows = args.Int("--train-rows", 20_000);
            var (features, targets) = RegressionData.Generate(trainRows, 5, seed: 4);
            var spec = new NetworkSpec(5, [64], Activation.Relu, 1);
            var settings = new TrainerSettings { Optimizer = OptimizerKind.Adam, LearningRate = 0.003f, BatchSize = 256, Epochs = 2, Seed = 5 };
            float lossHere = new Trainer(Network.Create(spec, 7, backend), settings).Train(features, targets, trainRows).FinalLoss;
            float lossCpu = new Trainer(Network.Create(spec, 7, new CpuBackend(1)), settings).Train(features, targets, trainRows).FinalLoss;
            checks++;
            if (!(Math.Abs(lossHere - lossCpu) <= 1e-3f * (1 + lossCpu)))
            {
                failures.Add($"training: final loss {lossHere} on {backend.Name}, {lossCpu} on cpu");
            }

            foreach (string failure in failures)
            {
                Console.WriteLine($"{{\"check\":\"failed\",\"what\":\"{failure}\"}}");
            }

            string device = backend is IlgpuBackend ilgpu ? ilgpu.DeviceName : backend.Name;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"benchmark\":\"backend-check\",\"backend\":\"{backend.Name}\",\"device\":\"{device}\",\"checks\":{checks},\"failed\":{failures.Count},\"trainingLoss\":{lossHere:F5},\"cpuTrainingLoss\":{lossCpu:F5}}}"));
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }
    }

    private static float[] Random(ref DeterministicRandom random, int length, float scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = ((2 * random.NextFloat()) - 1) * scale;
        }

        return values;
    }

    private static void Compare(string what, float[] expected, float[] actual, float tolerance, List<string> failures)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            bool bothNaN = float.IsNaN(expected[i]) && float.IsNaN(actual[i]);
            if (!bothNaN && !(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: [{i}] = {actual[i]}, expected {expected[i]}"));
                return;
            }
        }
    }
}
