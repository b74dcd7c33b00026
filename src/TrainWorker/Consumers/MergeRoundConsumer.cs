using MassTransit;
using Microsoft.Extensions.Logging;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Metrics;
using Pipeline.Contracts;
using Pipeline.Numerics;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.TrainWorker.Consumers;

/// <summary>
/// Federated averaging: the round's shard models are averaged with weights proportional to their sample counts, in
/// shard order (so the result does not depend on which result arrived first), the job's server optimizer (if any)
/// steps from the round's starting model along the averaged update, and the result is evaluated on the validation
/// split and stored as the round's checkpoint.
/// </summary>
public sealed partial class MergeRoundConsumer(ShardCache shards, ModelArtifacts models, ILogger<MergeRoundConsumer> logger) : IConsumer<MergeRound>
{
    public async Task Consume(ConsumeContext<MergeRound> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        try
        {
            var inputs = new List<(Network Model, long Samples)>(m.Results.Count);
            foreach (var result in m.Results.OrderBy(r => r.Shard))
            {
                inputs.Add((await models.LoadAsync(result.Model, ct), result.Samples));
            }

            var validation = await shards.GetAsync(m.Validation, ct);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var average = ModelAveraging.WeightedAverage(inputs);
            var server = ModelSpecs.ServerOptimizer(m.Settings);
            var (merged, serverState) = server.Kind == ServerOptimizerKind.FedAvg
                ? (average, null)
                : await ServerStepAsync(m, average, server, ct);
            var (validationLoss, metrics) = ModelEvaluation.Evaluate(merged, validation, m.Task);
            var computeSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            var samples = m.Results.Sum(r => r.Samples);
            var trainLoss = m.Results.Sum(r => r.Loss * r.Samples) / Math.Max(samples, 1);
            await MergeOptimizerStatesAsync(m, ct);
            // The server state first, like the shards' optimizer states: a stored merged model always has it beside it.
            if (serverState is not null)
            {
                await models.SaveOptimizerAsync(JobArtifactKeys.ServerOptimizer(m.JobId, m.Round), serverState, ct);
            }

            var saved = await models.SaveAsync(JobArtifactKeys.MergedModel(m.JobId, m.Round), merged, samples, validationLoss, ct);

            await context.Publish(new RoundMerged
            {
                JobId = m.JobId,
                Round = m.Round,
                Model = saved,
                TrainLoss = trainLoss,
                ValidationLoss = validationLoss,
                Validation = metrics,
                ComputeSeconds = computeSeconds,
            }, ct);
            LogMerged(logger, m.JobId, m.Round, m.Results.Count, trainLoss, validationLoss);
        }
        catch (Exception ex) when (TrainShardConsumer.IsPermanent(ex))
        {
            await context.Publish(new MergeFailed { JobId = m.JobId, Round = m.Round, Reason = ex.Message }, ct);
        }
    }

    /// <summary>
    /// The server optimizer's step (docs/TRAINING.md, "Convergence with K shards") from the model the round started
    /// from: round 1's is rebuilt from the job's seed like the workers do; later rounds continue the buffers the
    /// previous merge stored, so a merge that is redone or a restarted merger gives the same bits.
    /// </summary>
    private async Task<(Network Model, OptimizerState State)> ServerStepAsync(MergeRound m, Network average, ServerOptimizerSettings server, CancellationToken ct)
    {
        if (m.GlobalModel is null)
        {
            var initial = Network.Create(average.Spec, ModelSpecs.InitialSeed(m.Settings!), average.Backend, ModelSpecs.InitialisationOf(m.Settings!));
            return ServerOptimizer.Step(initial, average, ServerOptimizer.Initial, server);
        }

        var previous = await models.LoadAsync(m.GlobalModel, ct);
        var state = await models.FindOptimizerAsync(JobArtifactKeys.ServerOptimizer(m.JobId, m.Round - 1), ct)
            ?? throw new InvalidDataException($"round {m.Round - 1} of job {m.JobId} left no server optimizer state ({JobArtifactKeys.ServerOptimizer(m.JobId, m.Round - 1)}); the merge scheme cannot change mid-job");
        return ServerOptimizer.Step(previous, average, state, server);
    }

    /// <summary>
    /// The shards' optimizer states averaged like the parameters (weighted by samples, in shard order), for the next
    /// round to start from. Nothing when the shards kept none (the job resets the optimizer every round).
    /// </summary>
    private async Task MergeOptimizerStatesAsync(MergeRound m, CancellationToken ct)
    {
        var states = new List<(OptimizerState, long)>(m.Results.Count);
        foreach (var result in m.Results.OrderBy(r => r.Shard))
        {
            if (await models.FindOptimizerAsync(JobArtifactKeys.ShardOptimizer(m.JobId, m.Round, result.Shard), ct) is not { } state)
            {
                return;
            }

            states.Add((state, result.Samples));
        }

        await models.SaveOptimizerAsync(JobArtifactKeys.MergedOptimizer(m.JobId, m.Round), OptimizerState.WeightedAverage(states), ct);
    }

    /// <summary>The one Information line of a training round (the shards' own lines are at Debug).</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} round {Round}: merged {Shards} shards, train loss {TrainLoss:G5}, validation loss {ValidationLoss:G5}")]
    private static partial void LogMerged(ILogger logger, Guid jobId, int round, int shards, double trainLoss, double validationLoss);
}
