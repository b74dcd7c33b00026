using MassTransit;
using Pipeline.Contracts;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Testing.Training;

/// <summary>
/// Plays Ingest, Preprocess and Deploy around the real saga and workers: accepts the dataset, writes K shards of a
/// synthetic regression set plus a validation split, and "deploys" whatever model it is given.
/// </summary>
public sealed class StandInIngest(IArtifactStore store, TrainingData data, StandInOptions options) : IConsumer<ValidateDataset>
{
    public async Task Consume(ConsumeContext<ValidateDataset> context)
    {
        await options.HoldIf(StandInStage.Validate);
        await store.EnsureBucketAsync("jobs"); // what Ingest does first: reach the store
        await context.Publish(new DatasetAccepted
        {
            JobId = context.Message.JobId,
            DatasetId = "synthetic",
            Dataset = context.Message.Source,
            Columns = ["x0", "x1", "x2", "x3", "x4", "y"],
            Rows = data.TrainRows + data.ValidationRows,
            ResolvedSpec = context.Message.Spec,
        });
    }
}

public sealed class StandInPreprocess(IArtifactStore store, TrainingData data, StandInOptions options) : IConsumer<PreprocessDataset>
{
    public async Task Consume(ConsumeContext<PreprocessDataset> context)
    {
        await options.HoldIf(StandInStage.Preprocess);
        var m = context.Message;
        var k = m.Spec.Training.Shards;
        await store.EnsureBucketAsync("jobs");
        var shards = new List<ShardInfo>();
        for (var i = 0; i < k; i++)
        {
            var (from, to) = (data.TrainRows * i / k, data.TrainRows * (i + 1) / k);
            var bytes = SyntheticRegression.Shard(data.X, data.Y, from, to);
            var reference = await Put($"{m.JobId:N}/prep/shard-{i}.bin", bytes);
            if (i == options.CorruptShard)
            {
                // Flip a feature byte after hashing the object reference: the object is intact, the shard's own
                // checksum is not, as when a writer had a bug.
                bytes[40] ^= 0xFF;
                reference = await Put($"{m.JobId:N}/prep/shard-{i}.bin", bytes);
            }

            shards.Add(new ShardInfo(i, reference, to - from));
        }

        var all = data.TrainRows + data.ValidationRows;
        var validation = await Put($"{m.JobId:N}/prep/validation.bin", SyntheticRegression.Shard(data.X, data.Y, data.TrainRows, all));
        await context.Publish(new DatasetPreprocessed
        {
            JobId = m.JobId,
            Shards = shards,
            Validation = validation,
            Test = validation,
            Transform = validation,
            Profile = validation,
            Features = SyntheticRegression.Features,
            Outputs = 1,
            Task = TaskKind.Regression,
        });
    }

    private Task<ObjectRef> Put(string key, byte[] bytes) => store.PutWithHashAsync("jobs", key, new MemoryStream(bytes));
}

/// <summary>The synthetic data set of one test run: training rows first, then validation rows.</summary>
public sealed record TrainingData(float[] X, float[] Y, int TrainRows, int ValidationRows)
{
    public static TrainingData Create(int trainRows, int validationRows, int seed)
    {
        var (x, y) = SyntheticRegression.Generate(trainRows + validationRows, seed);
        return new TrainingData(x, y, trainRows, validationRows);
    }
}

public sealed class StandInDeploy(IArtifactStore store, StandInOptions options) : IConsumer<DeployModel>
{
    public async Task Consume(ConsumeContext<DeployModel> context)
    {
        await options.HoldIf(StandInStage.Deploy);
        // What Deploy does first: read the model it is given.
        await using (var model = await store.OpenReadAsync(context.Message.Model.Bucket, context.Message.Model.Key, context.CancellationToken))
        {
            await model.CopyToAsync(Stream.Null, context.CancellationToken);
        }

        await context.Publish(new ModelDeployed
        {
            JobId = context.Message.JobId,
            ModelName = context.Message.ModelName,
            Version = 1,
            Test = context.Message.Validation,
        });
    }
}

public enum StandInStage
{
    Validate,
    Preprocess,
    Deploy,

    /// <summary>
    /// Not a stand-in: the merge runs in the real workers. What is held is the saga's first <see cref="MergeRound"/>
    /// send (after the saga saved the job as Merging), so the command leaves into the fault (<see cref="HeldMergeSend"/>).
    /// </summary>
    Merge,
}

/// <param name="CorruptShard">The shard whose file the preprocess stand-in corrupts.</param>
/// <param name="Hold">The stage whose first command waits for the test (a chaos scenario's fault in that state).</param>
public sealed record StandInOptions(int? CorruptShard, StageHold? Hold = null)
{
    internal Task HoldIf(StandInStage stage) => Hold is { } hold && hold.Stage == stage ? hold.WaitAsync() : Task.CompletedTask;
}

/// <summary>
/// Stops a stand-in stage at its first command until the test releases it, so that a fault is injected while the job
/// is in that state and the stage's own work (store, publish) runs into it. Later commands (redeliveries) go through.
/// </summary>
public sealed class StageHold(StandInStage stage)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StandInStage Stage { get; } = stage;

    /// <summary>Completes when the stage's first command has arrived and waits.</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    internal Task WaitAsync() => _reached.TrySetResult() ? _released.Task : Task.CompletedTask;
}

/// <summary>
/// On the saga endpoint's send pipe: the first <see cref="MergeRound"/> waits for the test's <see cref="StageHold"/>
/// (the job is then saved as Merging; the in-memory outbox sends after the save), every other send passes.
/// </summary>
public sealed class HeldMergeSend(StageHold hold) : IFilter<SendContext>
{
    public async Task Send(SendContext context, IPipe<SendContext> next)
    {
        if (context is SendContext<MergeRound>)
        {
            await hold.WaitAsync();
        }

        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("held-merge-send");
}
