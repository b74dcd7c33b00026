using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Tabular.Metrics;
using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Serialization;
using Pipeline.Numerics.Training;

namespace Pipeline.TrainWorker.Consumers;

/// <summary>
/// Trains one shard for one round, starting from the global model, and reports the local model. One shard at a time
/// per worker process (the engine uses every core); the message is acknowledged only when the result is stored, so
/// a worker killed mid-shard leaves the message to the broker, which hands it to another worker.
/// </summary>
public sealed partial class TrainShardConsumer(
    ShardCache shards,
    ModelArtifacts models,
    RunningJobs running,
    IOptions<TrainWorkerOptions> options,
    ILogger<TrainShardConsumer> logger) : IConsumer<TrainShard>
{
    public async Task Consume(ConsumeContext<TrainShard> context)
    {
        var m = context.Message;
        if (running.IsCancelled(m.JobId))
        {
            return;
        }

        // A cancel of the job (or the host stopping) stops the shard at the next epoch.
        using var run = running.Start(m.JobId, context.CancellationToken);
        var ct = run.Token;

        var key = JobArtifactKeys.ShardModel(m.JobId, m.Round, m.Shard);

        // Delivered again after the work was done (worker died between upload and ack, or the broker gave up on
        // the ack): report the stored result instead of training twice. Training is deterministic, so it is the
        // same result a retrain would give.
        var done = await models.FindAsync(key, ct);
        if (done is not null)
        {
            await context.Publish(Trained(m, done.Ref, done.Samples, done.Loss), ct);
            return;
        }

        try
        {
            var data = await shards.GetAsync(m.Data, ct);
            if (data.FeatureCount != m.Features)
            {
                throw new InvalidDataException($"shard {m.Data} has {data.FeatureCount} features, the job's model expects {m.Features}");
            }

            var spec = ModelSpecs.Network(m.Features, m.Outputs, m.Task, m.Settings);
            var network = m.GlobalModel is null
                ? Network.Create(spec, ModelSpecs.InitialSeed(m.Settings), initialisation: ModelSpecs.InitialisationOf(m.Settings))
                : await models.LoadAsync(m.GlobalModel, ct);

            // The optimizer continues from the previous round's averaged state, or starts fresh when the job resets it
            // (docs/TRAINING.md, "Optimizer state across rounds").
            var trainer = new Trainer(network, ModelSpecs.Trainer(m.Settings, m.Task, m.Round, m.Shard));
            if (m.GlobalModel is not null && CarriesOptimizerState(m.Settings)
                && await models.FindOptimizerAsync(JobArtifactKeys.MergedOptimizer(m.JobId, m.Round - 1), ct) is { } state)
            {
                trainer.Optimizer.ImportState(state);
            }

            if (m.Attempt > 1)
            {
                LogRetrying(logger, m.JobId, m.Round, m.Shard, m.Attempt);
            }
            else
            {
                LogStarted(logger, m.JobId, m.Round, m.Shard);
            }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var loss = TrainWithinDeadline(trainer, data, ct);
            var computeSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (!double.IsFinite(loss))
            {
                throw new ArithmeticException($"training diverged (loss {loss}); lower the learning rate");
            }

            TrainWorkerMetrics.ShardTrained(computeSeconds, data.Rows * (long)trainer.Settings.Epochs);

            // The state first: a stored model (what a redelivery looks for) then always has its state beside it.
            if (CarriesOptimizerState(m.Settings))
            {
                await models.SaveOptimizerAsync(JobArtifactKeys.ShardOptimizer(m.JobId, m.Round, m.Shard), trainer.Optimizer.ExportState(), ct);
            }

            var saved = await models.SaveAsync(key, network, data.Rows, loss, ct);
            LogTrained(logger, m.JobId, m.Round, m.Shard, data.Rows, loss);
            await context.Publish(Trained(m, saved, data.Rows, loss) with { ComputeSeconds = computeSeconds }, ct);
        }
        catch (OperationCanceledException) when (run.JobCancelled(context.CancellationToken))
        {
            // Nobody waits for this shard any more: acknowledge it, store and report nothing.
            LogCancelled(logger, m.JobId, m.Round, m.Shard);
        }
        catch (Exception ex) when (IsPermanent(ex))
        {
            // Retrying cannot help: report it so the saga decides (another attempt or fail the job with the reason).
            LogFailed(logger, ex, m.JobId, m.Round, m.Shard);
            await context.Publish(new ShardTrainingFailed
            {
                JobId = m.JobId,
                Round = m.Round,
                Shard = m.Shard,
                Reason = ex.Message,
                Worker = options.Value.Name,
            }, ct);
        }
    }

    /// <summary>Epoch by epoch, so shutdown and the shard deadline are noticed between epochs.</summary>
    private double TrainWithinDeadline(Trainer trainer, Tabular.Shards.ShardData data, CancellationToken ct)
    {
        var targets = ModelEvaluation.TrainingTargets(data);
        var deadline = options.Value.MaxShardDuration;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var loss = double.NaN;
        for (var epoch = 0; epoch < trainer.Settings.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > deadline)
            {
                throw new TimeoutException($"shard still training after {deadline.TotalMinutes:0} min (Pipeline:TrainWorker:MaxShardDuration); use more shards or fewer local epochs");
            }

            loss = trainer.TrainEpoch(data.Features, targets, data.Rows);
        }

        return loss;
    }

    private ShardTrained Trained(TrainShard m, ObjectRef model, long samples, double loss) => new()
    {
        JobId = m.JobId,
        Round = m.Round,
        Shard = m.Shard,
        Model = model,
        Samples = samples,
        Loss = loss,
        Worker = options.Value.Name,
    };

    internal static bool CarriesOptimizerState(TrainingSettings settings) =>
        !string.Equals(settings.OptimizerState, "reset", StringComparison.OrdinalIgnoreCase);

    /// <summary>Bad data, a bad model file or bad settings; anything else (the store or broker away) is retried.</summary>
    internal static bool IsPermanent(Exception ex) =>
        ex is InvalidDataException or ModelFormatException or ArgumentException or ArithmeticException or OutOfMemoryException or TimeoutException;

    // Per shard and round: Debug. The merge logs the round's one Information line (MergeRoundConsumer).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} round {Round} shard {Shard}: trained {Rows} rows, loss {Loss:G5}")]
    private static partial void LogTrained(ILogger logger, Guid jobId, int round, int shard, int rows, double loss);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} round {Round} shard {Shard}: training")]
    private static partial void LogStarted(ILogger logger, Guid jobId, int round, int shard);

    // A retry is news (the worker before failed or vanished), unlike the first attempt.
    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} round {Round} shard {Shard}: training again (attempt {Attempt})")]
    private static partial void LogRetrying(ILogger logger, Guid jobId, int round, int shard, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} round {Round} shard {Shard}: stopped, the job was cancelled")]
    private static partial void LogCancelled(ILogger logger, Guid jobId, int round, int shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} round {Round} shard {Shard} cannot be trained")]
    private static partial void LogFailed(ILogger logger, Exception ex, Guid jobId, int round, int shard);
}
