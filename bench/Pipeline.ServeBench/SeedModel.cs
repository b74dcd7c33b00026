using Pipeline.Contracts;
using Pipeline.Tabular.Schema;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Serialization;
using Pipeline.Numerics.Training;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Shards;
using Pipeline.Tabular.Transforms;

namespace Pipeline.ServeBench;

/// <summary>The seed workload: 5 numeric columns, Dense(64, relu) -> Dense(1), trained briefly on synthetic rows.</summary>
internal static class SeedModel
{
    public const int Features = 5;
    private static readonly float[] Weights = [1.5f, -2f, 0.7f, 3f, -0.4f];

    public static FittedTransform Transform { get; } = new()
    {
        Target = "price",
        Task = TaskKind.Regression,
        Columns = [.. Enumerable.Range(0, Features).Select(i => new ColumnTransform { Name = $"x{i}", Kind = ColumnKind.Numeric, Impute = 10, Scales = [new FeatureScale(10, 2)] })],
    };

    /// <summary>Raw rows (column values around 10 ± 2) and their targets.</summary>
    public static (float[] Raw, float[] Y) Rows(int rows, int seed)
    {
        var random = new Random(seed);
        var raw = new float[rows * Features];
        var y = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            double sum = 0.3;
            for (var j = 0; j < Features; j++)
            {
                var z = (random.NextDouble() * 2) - 1;
                raw[(i * Features) + j] = (float)(10 + (2 * z));
                sum += z * Weights[j];
            }

            y[i] = (float)sum;
        }

        return (raw, y);
    }

    public static float[] Scale(float[] raw)
    {
        var scaled = new float[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            scaled[i] = Transform.Columns[i % Features].Scales![0].Apply(raw[i]);
        }

        return scaled;
    }

    public static async Task<DeployModel> StageAsync(IArtifactStore store)
    {
        var (raw, y) = Rows(20_000, 1);
        var x = Scale(raw);
        var network = Network.Create(new NetworkSpec(Features, [64], Activation.Relu, 1), 42);
        new Trainer(network, new TrainerSettings { LearningRate = 0.001f, Epochs = 3 }).Train(x.AsSpan(0, 16_000 * Features), y.AsSpan(0, 16_000), 16_000);

        await store.EnsureBucketAsync("jobs");
        using var model = new MemoryStream();
        ModelFile.Save(model, network);
        return new DeployModel
        {
            JobId = Guid.NewGuid(),
            ModelName = "seed",
            Model = await Put(store, "bench/model.pnnm", model.ToArray()),
            Transform = await Put(store, "bench/transform.json", System.Text.Encoding.UTF8.GetBytes(Transform.ToJson())),
            Test = await Put(store, "bench/test.bin", Shard(x, y, 18_000, 20_000)),
            ValidationSplit = await Put(store, "bench/validation.bin", Shard(x, y, 16_000, 18_000)),
            BestRound = 1,
            Validation = new ModelMetrics(),
        };
    }

    private static byte[] Shard(float[] x, float[] y, int from, int to)
    {
        using var buffer = new MemoryStream();
        using (var writer = new ShardFileWriter(buffer, Features, 1, 1))
        {
            for (var i = from; i < to; i++)
            {
                writer.WriteRow(x.AsSpan(i * Features, Features), y[i]);
            }

            writer.Complete();
        }

        return buffer.ToArray();
    }

    private static async Task<ObjectRef> Put(IArtifactStore store, string key, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return await store.PutWithHashAsync("jobs", key, stream);
    }
}
