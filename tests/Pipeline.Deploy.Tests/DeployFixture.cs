using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Deploy;
using Pipeline.Deploy.Deployment;
using Pipeline.Deploy.Registry;
using Pipeline.Tabular.Schema;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Serialization;
using Pipeline.Numerics.Training;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Shards;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Tests;

/// <summary>
/// A small house-price-like data set with every column kind (numeric, boolean, date, categorical), its fitted
/// transform, trained models of chosen quality, and the job artifacts a DeployModel command points at.
/// </summary>
public sealed class DeployFixture
{
    public const string JobsBucket = "jobs";

    /// <param name="longTail">Adds <c>lot</c>, a log-normal column encoded with the <c>log</c> compression, as Preprocess does for long tails.</param>
    public DeployFixture(TaskKind task = TaskKind.Regression, int rows = 2000, int seed = 7, bool longTail = false)
    {
        Task = task;
        ColumnTransform[] lot = longTail
            ? [new ColumnTransform { Name = "lot", Kind = ColumnKind.Numeric, Encoding = ColumnTransform.LogCompressed, LogShift = 20, LogUnit = 3.5, Impute = 400, Scales = [new FeatureScale(3.9, 1.1)] }]
            : [];
        Transform = new FittedTransform
        {
            Target = "price",
            Task = task,
            Classes = task == TaskKind.Classification ? ["cheap", "mid", "dear"] : null,

            // As Preprocess does: shards hold the standardised price; serving, metrics and ONNX decode it.
            TargetScale = task == TaskKind.Regression ? new FeatureScale(250_000, 80_000) : null,
            Columns =
            [
                new ColumnTransform { Name = "sqft", Kind = ColumnKind.Numeric, Impute = 1500, Scales = [new FeatureScale(1500, 400)] },
                new ColumnTransform { Name = "rooms", Kind = ColumnKind.Numeric, Impute = 3, Scales = [new FeatureScale(3, 1.2)] },
                new ColumnTransform { Name = "garden", Kind = ColumnKind.Boolean, Impute = 0 },
                new ColumnTransform { Name = "sold", Kind = ColumnKind.Date, Impute = 19000, Scales = [new FeatureScale(19000, 300), new FeatureScale(6.5, 3.4), new FeatureScale(3, 2)] },
                new ColumnTransform { Name = "city", Kind = ColumnKind.Categorical, ImputeCategory = "paris", Categories = ["lyon", "nice", "paris"] },
                .. lot,
            ],
        };

        var random = new Random(seed);
        RawRows = [];
        var features = new float[rows * Transform.FeatureCount];
        var targets = new float[rows];
        string[] cities = ["lyon", "nice", "paris"];
        for (var i = 0; i < rows; i++)
        {
            var sqft = 1500 + (400 * Gaussian(random));
            var rooms = Math.Round(3 + (1.2 * Gaussian(random)));
            var garden = random.Next(2) == 1;
            var sold = new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(random.Next(700));
            var city = cities[random.Next(3)];
            var row = new Dictionary<string, object?> { ["sqft"] = Math.Round(sqft, 1), ["rooms"] = rooms, ["garden"] = garden, ["sold"] = sold.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["city"] = city };
            if (longTail)
            {
                // Log-normal above 20 m², a few values (under 1 %) below it: the compression clamps those to 0.
                row["lot"] = Math.Round(20 + Math.Exp(4 + (1.5 * Gaussian(random))) - (random.Next(100) == 0 ? 5 : 0), 2);
            }

            RawRows.Add(row);
            var encoded = Transform.Apply(JsonSerializer.SerializeToElement(row));
            encoded.CopyTo(features, i * Transform.FeatureCount);
            var price = (3 * encoded[0]) + encoded[1] + (0.5 * encoded[2]) + (city == "paris" ? 2 : 0) + (longTail ? encoded[^1] : 0) + (0.3 * Gaussian(random));
            targets[i] = task == TaskKind.Classification ? (price < -1 ? 0 : price < 2 ? 1 : 2) : (float)price;
        }

        var trainRows = rows * 6 / 10;
        var validationRows = rows * 2 / 10;
        Train = Slice(features, targets, 0, trainRows);
        Validation = Slice(features, targets, trainRows, trainRows + validationRows);
        Test = Slice(features, targets, trainRows + validationRows, rows);
        TestRawRows = RawRows.GetRange(trainRows + validationRows, rows - trainRows - validationRows);
    }

    public TaskKind Task { get; }

    public FittedTransform Transform { get; }

    public List<Dictionary<string, object?>> RawRows { get; }

    public List<Dictionary<string, object?>> TestRawRows { get; }

    public ShardData Train { get; }

    public ShardData Validation { get; }

    public ShardData Test { get; }

    public NetworkSpec Spec(Activation activation = Activation.Relu) => new(
        Transform.FeatureCount, [16], activation, Transform.Outputs,
        Task == TaskKind.Classification ? OutputKind.MulticlassClassification : OutputKind.Regression);

    /// <summary>A model trained for <paramref name="epochs"/> passes (0: the untrained, poor model).</summary>
    public Network TrainModel(int epochs, Activation activation = Activation.Relu, ulong seed = 1)
    {
        var network = Network.Create(Spec(activation), seed);
        if (epochs > 0)
        {
            var trainer = new Trainer(network, new TrainerSettings
            {
                Loss = Task == TaskKind.Classification ? LossKind.SoftmaxCrossEntropy : LossKind.MeanSquaredError,
                LearningRate = 0.01f,
                BatchSize = 64,
                Epochs = epochs,
                Seed = seed,
            });
            // The trainer takes one probability row per example for softmax cross-entropy: one-hot the class indices.
            var targets = Train.Targets;
            if (Task == TaskKind.Classification)
            {
                targets = new float[Train.Rows * Transform.Outputs];
                for (var i = 0; i < Train.Rows; i++)
                {
                    targets[(i * Transform.Outputs) + (int)Train.Targets[i]] = 1f;
                }
            }

            trainer.Train(Train.Features, targets, Train.Rows);
        }

        return network;
    }

    /// <summary>Stores the job's artifacts as Preprocess and training would, and returns the command the saga would send.</summary>
    public async Task<DeployModel> StageJobAsync(IArtifactStore store, Network network, string modelName = "houses", Guid? jobId = null)
    {
        var job = jobId ?? Guid.NewGuid();
        await store.EnsureBucketAsync(JobsBucket);
        var prefix = $"{job:N}/prep/";
        using var model = new MemoryStream();
        ModelFile.Save(model, network, Transform.FeatureNames());
        return new DeployModel
        {
            JobId = job,
            ModelName = modelName,
            Model = await Put(store, $"{job:N}/rounds/3/merged.model", model.ToArray()),
            Transform = await Put(store, prefix + "transform.json", System.Text.Encoding.UTF8.GetBytes(Transform.ToJson())),
            Test = await Put(store, prefix + "test.bin", ShardBytes(Test)),
            ValidationSplit = await Put(store, prefix + "validation.bin", ShardBytes(Validation)),
            TrainingShards = [await Put(store, prefix + "shard-0.bin", ShardBytes(Train))],
            BestRound = 3,
            Validation = new ModelMetrics { Rmse = 1, Mse = 1 },
            DatasetSha256 = new string('a', 64),
            Settings = new TrainingSettings { HiddenLayers = [16] },
            RoundHistory = [new RoundSummary(1, 2.0, new ModelMetrics { Mse = 2 }), new RoundSummary(2, 1.1, new ModelMetrics { Mse = 1.1 })],
        };
    }

    /// <summary>A deployer over a local folder store and a SQLite registry (a fresh database per call).</summary>
    public static (ModelDeployer Deployer, ModelRegistry Registry, IArtifactStore Store) Embedded(string folder, Action<DeployOptions>? configure = null)
    {
        var options = new DeployOptions();
        configure?.Invoke(options);
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "objects"));
        var registry = SqliteRegistry(Path.Combine(folder, "registry.db"));
        var deployer = new ModelDeployer(store, registry, Options.Create(options), NullLogger<ModelDeployer>.Instance);
        return (deployer, registry, store);
    }

    public static ModelRegistry SqliteRegistry(string path, TimeProvider? clock = null)
    {
        var factory = new SqliteFactory($"Data Source={path}");
        using (var db = factory.CreateDbContext())
        {
            db.Database.Migrate();
        }

        return new ModelRegistry(factory, clock ?? TimeProvider.System);
    }

    public static byte[] ShardBytes(ShardData data)
    {
        using var buffer = new MemoryStream();
        using (var writer = new ShardFileWriter(buffer, data.FeatureCount, data.Outputs, data.Task))
        {
            for (var i = 0; i < data.Rows; i++)
            {
                writer.WriteRow(data.Features.AsSpan(i * data.FeatureCount, data.FeatureCount), data.Targets[i]);
            }

            writer.Complete();
        }

        return buffer.ToArray();
    }

    private ShardData Slice(float[] features, float[] targets, int from, int to)
    {
        var f = Transform.FeatureCount;
        return new ShardData(features[(from * f)..(to * f)], targets[from..to], to - from, f, Transform.Outputs, Task == TaskKind.Classification ? 2 : 1);
    }

    private static async Task<ObjectRef> Put(IArtifactStore store, string key, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return await store.PutWithHashAsync(JobsBucket, key, stream);
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private sealed class SqliteFactory(string connectionString) : IDbContextFactory<DeployDbContext>
    {
        public DeployDbContext CreateDbContext() =>
            new SqliteDeployDbContext(new DbContextOptionsBuilder<SqliteDeployDbContext>().UseSqlite(connectionString).Options);
    }
}
