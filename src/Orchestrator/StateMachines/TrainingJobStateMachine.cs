using Pipeline.Tabular.Naming;
using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Platform.Messaging;
using Pipeline.Tabular.Planning;

namespace Pipeline.Orchestrator.StateMachines;

/// <summary>
/// The life of a training job: Validating -> Preprocessing -> (Training -> Merging) x rounds -> Deploying, ending
/// Deployed, Rejected (quality gate kept the old version), Failed or Cancelled. Every event is idempotent: a
/// duplicate or stale message changes nothing, so at-least-once delivery is safe. Every running state has a deadline
/// (one durable timer per job), and a command that faults after its redeliveries fails the job with the reason or,
/// for a shard, sends it again at once (docs/RELIABILITY.md). A deployed, rejected or failed-in-deploy job can be
/// deployed again from its stored best model (<see cref="RedeployJob"/>).
/// </summary>
public sealed class TrainingJobStateMachine : MassTransitStateMachine<TrainingJobState>
{
    public TrainingJobStateMachine(IOptions<OrchestratorOptions> options, TimeProvider clock)
    {
        var o = options.Value;
        InstanceState(x => x.CurrentState);

        Event(() => Submitted, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => Accepted, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => Rejected, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => Preprocessed, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => PreprocessFailed, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => ShardDone, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => ShardFailed, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => Merged, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => MergeFailed, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => Deployed, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => DeployRejected, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => DeployFailed, x => x.CorrelateById(m => m.Message.JobId));
        Event(() => Cancel, x =>
        {
            x.CorrelateById(m => m.Message.JobId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => Redeploy, x =>
        {
            x.CorrelateById(m => m.Message.JobId);
            x.OnMissingInstance(m => m.Discard());
        });

        // Faults of the commands the saga sends: MassTransit publishes them when a consumer has thrown through every
        // retry and redelivery (the message is then in the queue's _error queue).
        Event(() => ValidateFaulted, x => FaultOf(x, m => m.JobId));
        Event(() => PreprocessFaulted, x => FaultOf(x, m => m.JobId));
        Event(() => TrainFaulted, x => FaultOf(x, m => m.JobId));
        Event(() => MergeFaulted, x => FaultOf(x, m => m.JobId));
        Event(() => DeployFaulted, x => FaultOf(x, m => m.JobId));

        // The job's one timer: the round timeout while Training, the state's deadline otherwise.
        Schedule(() => Deadline, x => x.DeadlineToken, s =>
        {
            s.Delay = o.RoundTimeout;
            s.Received = r => r.CorrelateById(m => m.Message.JobId);
        });

        Initially(
            When(Submitted)
                .Then(ctx =>
                {
                    var job = ctx.Saga;
                    job.SubmittedAt = ctx.Message.SubmittedAt;
                    job.Source = ctx.Message.Source;
                    job.Spec = ctx.Message.Spec;
                    job.ModelName = ctx.Message.Spec.ModelName ?? ModelNames.FromKey(ctx.Message.Source.Key);
                    Touch(ctx.Saga, clock);
                })
                .Send(CommandQueues.Address(CommandQueues.ValidateDataset), ctx => ValidateCommand(ctx.Saga.CorrelationId, ctx.Message))
                .Schedule(Deadline, ctx => StageDeadline.Validating(o).Message(ctx.Saga), _ => o.ValidatingDeadline)
                .TransitionTo(Validating));

        During(Validating,
            When(Accepted)
                .Then(ctx =>
                {
                    ctx.Saga.AcceptedAt = clock.GetUtcNow();
                    ctx.Saga.DatasetId = ctx.Message.DatasetId;
                    ctx.Saga.DatasetRows = ctx.Message.Rows;
                    ctx.Saga.Spec = ctx.Message.ResolvedSpec;
                    Touch(ctx.Saga, clock);
                })
                .Send(CommandQueues.Address(CommandQueues.PreprocessDataset), ctx => PreprocessCommand(ctx.Message))
                .Schedule(Deadline, ctx => StageDeadline.Preprocessing(o).Message(ctx.Saga), _ => o.PreprocessingDeadline)
                .TransitionTo(Preprocessing),
            When(Rejected).Then(ctx => Fail(ctx.Saga, "ingest", ctx.Message.Reason, clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(ValidateFaulted).Then(ctx => Fail(ctx.Saga, "ingest", FaultReasons.Of(ctx.Message), clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(Deadline!.Received).Then(ctx => Fail(ctx.Saga, "ingest", StageDeadline.Validating(o).Reason, clock)).PublishFailed().TransitionTo(Failed));

        During(Preprocessing,
            When(Preprocessed)
                .Then(ctx =>
                {
                    ctx.Saga.Prepared = ctx.Message;
                    ctx.Saga.PreprocessedAt = clock.GetUtcNow();
                    ctx.Saga.Round = 0;
                })
                .ThenAsync(ctx => StartRound(ctx, null, clock))
                .Schedule(Deadline, ctx => Timeout(ctx.Saga))
                .TransitionTo(Training),
            When(PreprocessFailed).Then(ctx => Fail(ctx.Saga, "preprocess", ctx.Message.Reason, clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(PreprocessFaulted).Then(ctx => Fail(ctx.Saga, "preprocess", FaultReasons.Of(ctx.Message), clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(Deadline.Received).Then(ctx => Fail(ctx.Saga, "preprocess", StageDeadline.Preprocessing(o).Reason, clock)).PublishFailed().TransitionTo(Failed));

        During(Training,
            When(ShardDone, ctx => ctx.Message.Round == ctx.Saga.Round && ctx.Saga.RoundResults.TrueForAll(r => r.Shard != ctx.Message.Shard))
                .Then(ctx =>
                {
                    ctx.Saga.RoundResults.Add(new ShardResult(ctx.Message.Shard, ctx.Message.Model, ctx.Message.Samples, ctx.Message.Loss, ctx.Message.Worker, ctx.Message.ComputeSeconds));
                    Touch(ctx.Saga, clock);
                })
                .If(ctx => ctx.Saga.RoundResults.Count == ctx.Saga.Prepared!.Shards.Count, all => all
                    .Send(CommandQueues.Address(CommandQueues.MergeRound), ctx => MergeCommand(ctx.Saga))
                    .Schedule(Deadline, ctx => StageDeadline.Merging(o).Message(ctx.Saga), _ => o.MergingDeadline)
                    .TransitionTo(Merging)),
            When(ShardFailed, ctx => ctx.Message.Round == ctx.Saga.Round && ctx.Saga.RoundResults.TrueForAll(r => r.Shard != ctx.Message.Shard))
                .IfElse(ctx => AttemptsOf(ctx.Saga, ctx.Message.Shard) < o.MaxShardAttempts,
                    retry => retry.ThenAsync(ctx => ResendShards(ctx, [ctx.Message.Shard], clock)),
                    fail => fail
                        .Then(ctx => Fail(ctx.Saga, "train", $"shard {ctx.Message.Shard} of round {ctx.Message.Round} failed {AttemptsOf(ctx.Saga, ctx.Message.Shard)} times; last error on {ctx.Message.Worker}: {ctx.Message.Reason}", clock))
                        .Unschedule(Deadline)
                        .PublishFailed()
                        .TransitionTo(Failed)),

            // A shard whose message faulted (e.g. the store was down past the redeliveries) is sent again at once,
            // not at the round timeout. Only the fault of its latest send counts: an older send's fault arriving
            // after a resend says nothing about the send still in flight.
            When(TrainFaulted, ctx => IsLatestSendOfOpenShard(ctx.Saga, ctx.Message.Message))
                .IfElse(ctx => AttemptsOf(ctx.Saga, ctx.Message.Message.Shard) < o.MaxShardAttempts,
                    retry => retry.ThenAsync(ctx => ResendShards(ctx, [ctx.Message.Message.Shard], clock)),
                    fail => fail
                        .Then(ctx => Fail(ctx.Saga, "train", FaultReasons.Bound($"shard {ctx.Message.Message.Shard} of round {ctx.Message.Message.Round} failed {AttemptsOf(ctx.Saga, ctx.Message.Message.Shard)} times; last error: {FaultReasons.Of(ctx.Message)}"), clock))
                        .Unschedule(Deadline)
                        .PublishFailed()
                        .TransitionTo(Failed)),
            When(Deadline.Received, ctx => ctx.Message.Round == ctx.Saga.Round)
                .IfElse(ctx => MissingShards(ctx.Saga).All(s => AttemptsOf(ctx.Saga, s) < o.MaxShardAttempts),
                    retry => retry
                        .ThenAsync(ctx => ResendShards(ctx, MissingShards(ctx.Saga), clock))
                        .Schedule(Deadline, ctx => Timeout(ctx.Saga)),
                    fail => fail
                        .Then(ctx => Fail(ctx.Saga, "train", $"round {ctx.Saga.Round} timed out {o.MaxShardAttempts} times (after {o.RoundTimeout.TotalMinutes:0.#} min each) waiting for shards {string.Join(", ", MissingShards(ctx.Saga))}", clock))
                        .PublishFailed()
                        .TransitionTo(Failed)));

        During(Merging,
            When(Merged, ctx => ctx.Message.Round == ctx.Saga.Round)
                .Then(ctx => RecordRound(ctx.Saga, ctx.Message, clock))
                .IfElse(ctx => IsLastRound(ctx.Saga),
                    done => done
                        .Then(ctx => ctx.Saga.TrainedAt = clock.GetUtcNow())
                        .Send(CommandQueues.Address(CommandQueues.DeployModel), ctx => DeployCommand(ctx.Saga, ctx.Saga.Spec.ForceDeploy))
                        .Schedule(Deadline, ctx => StageDeadline.Deploying(o).Message(ctx.Saga), _ => o.DeployingDeadline)
                        .Publish(ctx => new TrainingFinished
                        {
                            JobId = ctx.Saga.CorrelationId,
                            Data = [.. ctx.Saga.Prepared!.Shards.OrderBy(x => x.Index).Select(x => x.Data), ctx.Saga.Prepared.Validation],
                        })
                        .TransitionTo(Deploying),
                    next => next
                        .ThenAsync(ctx => StartRound(ctx, ctx.Message.Model, clock))
                        .Schedule(Deadline, ctx => Timeout(ctx.Saga))
                        .TransitionTo(Training)),
            When(MergeFailed, ctx => ctx.Message.Round == ctx.Saga.Round)
                .Then(ctx => Fail(ctx.Saga, "merge", ctx.Message.Reason, clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(MergeFaulted, ctx => ctx.Message.Message.Round == ctx.Saga.Round)
                .Then(ctx => Fail(ctx.Saga, "merge", FaultReasons.Of(ctx.Message), clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(Deadline.Received).Then(ctx => Fail(ctx.Saga, "merge", StageDeadline.Merging(o).Reason, clock)).PublishFailed().TransitionTo(Failed));

        During(Deploying,
            When(Deployed).Then(ctx =>
            {
                ctx.Saga.DeployedVersion = ctx.Message.Version;
                ctx.Saga.TestMetrics = ctx.Message.Test;
                ctx.Saga.BaselineMetrics = ctx.Message.Baseline;
                ctx.Saga.TrivialMetrics = ctx.Message.Trivial;
                Finish(ctx.Saga, clock);
            }).Unschedule(Deadline).TransitionTo(Completed),
            When(DeployRejected).Then(ctx =>
            {
                ctx.Saga.DeployedVersion = ctx.Message.Version;
                ctx.Saga.FailureReason = ctx.Message.Reason;
                ctx.Saga.TestMetrics = ctx.Message.Test;
                ctx.Saga.BaselineMetrics = ctx.Message.Baseline;
                ctx.Saga.TrivialMetrics = ctx.Message.Trivial;
                Finish(ctx.Saga, clock);
            }).Unschedule(Deadline).TransitionTo(GateRejected),
            When(DeployFailed).Then(ctx => Fail(ctx.Saga, "deploy", ctx.Message.Reason, clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(DeployFaulted).Then(ctx => Fail(ctx.Saga, "deploy", FaultReasons.Of(ctx.Message), clock)).Unschedule(Deadline).PublishFailed().TransitionTo(Failed),
            When(Deadline.Received).Then(ctx => Fail(ctx.Saga, "deploy", StageDeadline.Deploying(o).Reason, clock)).PublishFailed().TransitionTo(Failed));

        // Deploying again from the stored best model: after a failed deployment, or to restore a version's artifacts.
        During([Completed, GateRejected, Failed],
            When(Redeploy, ctx => Redeployment.WhyNot(ctx.Saga) is null)
                .Then(ctx =>
                {
                    ctx.Saga.FailedStage = null;
                    ctx.Saga.FailureReason = null;
                    ctx.Saga.FinishedAt = null;
                    Touch(ctx.Saga, clock);
                })
                .Send(CommandQueues.Address(CommandQueues.DeployModel), ctx => DeployCommand(ctx.Saga, ctx.Saga.Spec.ForceDeploy || ctx.Message.ForceDeploy))
                .Schedule(Deadline, ctx => StageDeadline.Deploying(o).Message(ctx.Saga), _ => o.DeployingDeadline)
                .TransitionTo(Deploying));

        // The message that moved the job into a state, handled again (an in-process retry or a redelivery), means its
        // first handling may have saved the new state and then failed to send that state's command: the in-memory
        // outbox sends after the save, and the broker can go away in between. Ignoring it, as a plain duplicate is
        // ignored, would leave the job waiting for its deadline, so the command (and the state's timer) goes again.
        // Every command is idempotent: a second one that meets the first does the same work to the same result.
        During(Validating,
            When(Submitted, IsRetried)
                .Send(CommandQueues.Address(CommandQueues.ValidateDataset), ctx => ValidateCommand(ctx.Saga.CorrelationId, ctx.Message))
                .Schedule(Deadline, ctx => StageDeadline.Validating(o).Message(ctx.Saga), _ => o.ValidatingDeadline));
        During(Preprocessing,
            When(Accepted, IsRetried)
                .Send(CommandQueues.Address(CommandQueues.PreprocessDataset), ctx => PreprocessCommand(ctx.Message))
                .Schedule(Deadline, ctx => StageDeadline.Preprocessing(o).Message(ctx.Saga), _ => o.PreprocessingDeadline));
        During(Training,
            When(Preprocessed, ctx => ctx.Saga.Round == 1 && IsRetried(ctx))
                .ThenAsync(ctx => SendShardsAgain(ctx, clock))
                .Schedule(Deadline, ctx => Timeout(ctx.Saga)),
            When(Merged, ctx => ctx.Message.Round == ctx.Saga.Round - 1 && IsRetried(ctx))
                .ThenAsync(ctx => SendShardsAgain(ctx, clock))
                .Schedule(Deadline, ctx => Timeout(ctx.Saga)));
        During(Merging,
            When(ShardDone, ctx => ctx.Message.Round == ctx.Saga.Round && IsRetried(ctx))
                .Send(CommandQueues.Address(CommandQueues.MergeRound), ctx => MergeCommand(ctx.Saga))
                .Schedule(Deadline, ctx => StageDeadline.Merging(o).Message(ctx.Saga), _ => o.MergingDeadline));
        During(Deploying,
            When(Merged, ctx => ctx.Message.Round == ctx.Saga.Round && IsRetried(ctx))
                .Send(CommandQueues.Address(CommandQueues.DeployModel), ctx => DeployCommand(ctx.Saga, ctx.Saga.Spec.ForceDeploy))
                .Schedule(Deadline, ctx => StageDeadline.Deploying(o).Message(ctx.Saga), _ => o.DeployingDeadline),
            When(Redeploy, IsRetried)
                .Send(CommandQueues.Address(CommandQueues.DeployModel), ctx => DeployCommand(ctx.Saga, ctx.Saga.Spec.ForceDeploy || ctx.Message.ForceDeploy))
                .Schedule(Deadline, ctx => StageDeadline.Deploying(o).Message(ctx.Saga), _ => o.DeployingDeadline));

        // Cancelling works in every state that is not already an outcome; late results are then ignored.
        During([Validating, Preprocessing, Training, Merging, Deploying],
            When(Cancel)
                .Then(ctx =>
                {
                    ctx.Saga.FailureReason = ctx.Message.Reason;
                    Finish(ctx.Saga, clock);
                })
                .Unschedule(Deadline)
                .Publish(ctx => new JobCancelled { JobId = ctx.Saga.CorrelationId, Reason = ctx.Message.Reason })
                .TransitionTo(Cancelled));

        // Outcomes absorb whatever still arrives (late shard results, duplicates, a second cancel).
        During([Completed, GateRejected, Failed, Cancelled],
            Ignore(Submitted), Ignore(Accepted), Ignore(Rejected), Ignore(Preprocessed), Ignore(PreprocessFailed),
            Ignore(ShardDone), Ignore(ShardFailed), Ignore(Merged), Ignore(MergeFailed), Ignore(Deployed),
            Ignore(DeployRejected), Ignore(DeployFailed), Ignore(Cancel), Ignore(Deadline.Received));
        During(Cancelled, Ignore(Redeploy));
        During([Validating, Preprocessing, Training, Merging], Ignore(Redeploy));

        // A fault is handled in the state that sent its command; anywhere else it is late and changes nothing.
        IgnoreOutside(Validating, ValidateFaulted);
        IgnoreOutside(Preprocessing, PreprocessFaulted);
        IgnoreOutside(Training, TrainFaulted);
        IgnoreOutside(Merging, MergeFaulted);
        IgnoreOutside(Deploying, DeployFaulted);

        // A duplicate JobSubmitted (same object version seen twice) or a stale result in a later state is dropped.
        // (The retried ones are handled above; the filters there let a plain duplicate through as a no-op.)
        During([Preprocessing, Training, Merging, Deploying], Ignore(Submitted));
        During(Merging, Ignore(ShardFailed));
        During(Deploying, Ignore(ShardDone), Ignore(ShardFailed));
        During(Training, Ignore(MergeFailed));
        During([Training, Merging, Deploying], Ignore(Accepted), Ignore(Rejected), Ignore(PreprocessFailed));
        During([Merging, Deploying], Ignore(Preprocessed));
        During(Preprocessing, Ignore(Rejected));
        During([Training, Merging], Ignore(Deployed), Ignore(DeployRejected), Ignore(DeployFailed));
    }

    public State Validating { get; private set; } = null!;
    public State Preprocessing { get; private set; } = null!;
    public State Training { get; private set; } = null!;
    public State Merging { get; private set; } = null!;
    public State Deploying { get; private set; } = null!;

    /// <summary>Deployed: the job's model is in production.</summary>
    public State Completed { get; private set; } = null!;

    /// <summary>The quality gate kept the current production version.</summary>
    public State GateRejected { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<JobSubmitted> Submitted { get; private set; } = null!;
    public Event<DatasetAccepted> Accepted { get; private set; } = null!;
    public Event<DatasetRejected> Rejected { get; private set; } = null!;
    public Event<DatasetPreprocessed> Preprocessed { get; private set; } = null!;
    public Event<PreprocessingFailed> PreprocessFailed { get; private set; } = null!;
    public Event<ShardTrained> ShardDone { get; private set; } = null!;
    public Event<ShardTrainingFailed> ShardFailed { get; private set; } = null!;
    public Event<RoundMerged> Merged { get; private set; } = null!;
    public Event<MergeFailed> MergeFailed { get; private set; } = null!;
    public Event<ModelDeployed> Deployed { get; private set; } = null!;
    public Event<DeploymentRejected> DeployRejected { get; private set; } = null!;
    public Event<DeploymentFailed> DeployFailed { get; private set; } = null!;
    public Event<CancelJob> Cancel { get; private set; } = null!;
    public Event<RedeployJob> Redeploy { get; private set; } = null!;
    public Event<Fault<ValidateDataset>> ValidateFaulted { get; private set; } = null!;
    public Event<Fault<PreprocessDataset>> PreprocessFaulted { get; private set; } = null!;
    public Event<Fault<TrainShard>> TrainFaulted { get; private set; } = null!;
    public Event<Fault<MergeRound>> MergeFaulted { get; private set; } = null!;
    public Event<Fault<DeployModel>> DeployFaulted { get; private set; } = null!;

    /// <summary>The round timeout while Training, the state's deadline in the other running states.</summary>
    public Schedule<TrainingJobState, StageTimedOut> Deadline { get; private set; } = null!;

    private State[] AllStatesButInitial => [Validating, Preprocessing, Training, Merging, Deploying, Completed, GateRejected, Failed, Cancelled];

    private void IgnoreOutside<T>(State handledIn, Event<T> fault)
        where T : class =>
        During([.. AllStatesButInitial.Where(s => s != handledIn)], Ignore(fault));

    private static void FaultOf<T>(IEventCorrelationConfigurator<TrainingJobState, Fault<T>> x, Func<T, Guid> jobId)
        where T : class
    {
        x.CorrelateById(m => jobId(m.Message.Message));
        x.OnMissingInstance(m => m.Discard());
    }

    /// <summary>Handled before: an in-process retry, or a redelivery (by the broker or by our scheduled redelivery).</summary>
    private static bool IsRetried(ConsumeContext ctx) =>
        ctx.GetRetryAttempt() > 0 || ctx.GetRedeliveryCount() > 0 || ctx.ReceiveContext.Redelivered;

    private static ValidateDataset ValidateCommand(Guid jobId, JobSubmitted submitted) => new()
    {
        JobId = jobId,
        Source = submitted.Source,
        Spec = submitted.Spec,
    };

    private static PreprocessDataset PreprocessCommand(DatasetAccepted accepted) => new()
    {
        JobId = accepted.JobId,
        DatasetId = accepted.DatasetId,
        Dataset = accepted.Dataset,
        Spec = accepted.ResolvedSpec,
    };

    private static MergeRound MergeCommand(TrainingJobState job) => new()
    {
        JobId = job.CorrelationId,
        Round = job.Round,
        Results = [.. job.RoundResults.OrderBy(r => r.Shard)],
        Validation = job.Prepared!.Validation,
        Task = job.Prepared.Task,
        GlobalModel = GlobalModelOf(job),
        Settings = job.Spec.Training,
    };

    private static StageTimedOut Timeout(TrainingJobState job) => new() { JobId = job.CorrelationId, Stage = "train", Round = job.Round };

    private static bool IsLatestSendOfOpenShard(TrainingJobState job, TrainShard sent) =>
        sent.Round == job.Round
        && job.RoundResults.TrueForAll(r => r.Shard != sent.Shard)
        && sent.Attempt >= AttemptsOf(job, sent.Shard);

    /// <summary>The deploy command for the job's best round, from what the saga stored (also what a redeploy sends).</summary>
    private static DeployModel DeployCommand(TrainingJobState job, bool forceDeploy)
    {
        var prepared = job.Prepared!;
        return new DeployModel
        {
            JobId = job.CorrelationId,
            ModelName = job.ModelName,
            Model = job.BestModel!,
            Transform = prepared.Transform,
            Test = prepared.Test,
            BestRound = job.BestRound,
            Validation = job.History.Single(h => h.Round == job.BestRound).Validation,
            Source = job.Source,
            Profile = prepared.Profile,
            Settings = job.Spec.Training,
            RoundHistory = [.. job.History.Select(h => new RoundSummary(h.Round, h.ValidationLoss, h.Validation))],
            TrainingShards = [.. prepared.Shards.OrderBy(x => x.Index).Select(x => x.Data)],
            ValidationSplit = prepared.Validation,
            ForceDeploy = forceDeploy,
        };
    }

    private static void Touch(TrainingJobState job, TimeProvider clock) => job.UpdatedAt = clock.GetUtcNow();

    private static void Finish(TrainingJobState job, TimeProvider clock)
    {
        job.FinishedAt = clock.GetUtcNow();
        job.UpdatedAt = job.FinishedAt.Value;
        OrchestratorMetrics.JobFinished(job.CorrelationId);
    }

    private static void Fail(TrainingJobState job, string stage, string reason, TimeProvider clock)
    {
        job.FailedStage = stage;
        job.FailureReason = reason;
        Finish(job, clock);
    }

    private static int AttemptsOf(TrainingJobState job, int shard) => job.Attempts.GetValueOrDefault(shard);

    private static List<int> MissingShards(TrainingJobState job)
    {
        var done = job.RoundResults.Select(r => r.Shard).ToHashSet();
        return [.. job.Prepared!.Shards.Select(s => s.Index).Where(i => !done.Contains(i))];
    }

    private static bool IsLastRound(TrainingJobState job) =>
        TrainingSchedule.IsLastRound(job.Round, job.RoundsWithoutImprovement, job.Spec.Training);

    private static void RecordRound(TrainingJobState job, RoundMerged merged, TimeProvider clock)
    {
        OrchestratorMetrics.RoundMerged(job.CorrelationId, merged.Round, clock.GetUtcNow() - (job.History.Count > 0 ? job.History[^1].MergedAt : job.PreprocessedAt ?? job.UpdatedAt));
        job.History.Add(new RoundRecord(merged.Round, merged.TrainLoss, merged.ValidationLoss, merged.Validation, merged.Model, clock.GetUtcNow(), [.. job.RoundResults.OrderBy(r => r.Shard)], merged.ComputeSeconds));
        // The best checkpoint is the lowest loss; patience restarts only on a real improvement, not on noise.
        var improved = TrainingSchedule.IsImprovement(merged.ValidationLoss, job.BestValidationLoss);
        if (job.BestValidationLoss is null || merged.ValidationLoss < job.BestValidationLoss)
        {
            job.BestValidationLoss = merged.ValidationLoss;
            job.BestRound = merged.Round;
            job.BestModel = merged.Model;
        }

        job.RoundsWithoutImprovement = improved ? 0 : job.RoundsWithoutImprovement + 1;

        Touch(job, clock);
    }

    private static async Task StartRound<T>(BehaviorContext<TrainingJobState, T> ctx, ObjectRef? globalModel, TimeProvider clock)
        where T : class
    {
        var job = ctx.Saga;
        job.Round++;
        job.RoundResults.Clear();
        job.Attempts.Clear();
        Touch(job, clock);
        await SendShards(ctx, job.Prepared!.Shards.Select(s => s.Index), globalModel);
    }

    private static async Task ResendShards<T>(BehaviorContext<TrainingJobState, T> ctx, IReadOnlyCollection<int> shards, TimeProvider clock)
        where T : class
    {
        Touch(ctx.Saga, clock);
        await SendShards(ctx, shards, GlobalModelOf(ctx.Saga));
    }

    /// <summary>
    /// The round's open shards sent again as the same attempts: the earlier sends may never have left, so this is not
    /// a new try and must not use up <c>MaxShardAttempts</c> (a broker outage can retry the trigger many times).
    /// </summary>
    private static async Task SendShardsAgain<T>(BehaviorContext<TrainingJobState, T> ctx, TimeProvider clock)
        where T : class
    {
        Touch(ctx.Saga, clock);
        await SendShards(ctx, MissingShards(ctx.Saga), GlobalModelOf(ctx.Saga), newAttempt: false);
    }

    /// <summary>The model the current round started from: the previous round's merge, or null (the seeded initial model) in round 1.</summary>
    private static ObjectRef? GlobalModelOf(TrainingJobState job) =>
        job.Round == 1 ? null : job.History.Single(h => h.Round == job.Round - 1).Model;

    private static async Task SendShards<T>(BehaviorContext<TrainingJobState, T> ctx, IEnumerable<int> shards, ObjectRef? globalModel, bool newAttempt = true)
        where T : class
    {
        var job = ctx.Saga;
        var prepared = job.Prepared!;
        var attempts = job.Attempts;
        var endpoint = await ctx.GetSendEndpoint(CommandQueues.Address(CommandQueues.TrainShard));
        // The schedule's rate for this round, from the validation losses of the rounds before it.
        var settings = job.Spec.Training with
        {
            LearningRate = TrainingSchedule.LearningRate(job.History.Where(h => h.Round < job.Round).OrderBy(h => h.Round).Select(h => h.ValidationLoss), job.Spec.Training),
        };
        foreach (var index in shards)
        {
            attempts[index] = attempts.GetValueOrDefault(index) + (newAttempt ? 1 : 0);
            await endpoint.Send(new TrainShard
            {
                JobId = job.CorrelationId,
                Round = job.Round,
                Shard = index,
                Data = prepared.Shards.Single(s => s.Index == index).Data,
                GlobalModel = globalModel,
                Features = prepared.Features,
                Outputs = prepared.Outputs,
                Task = prepared.Task,
                Settings = settings,
                Attempt = attempts[index],
            }, ctx.CancellationToken);
        }
    }
}

internal static class TrainingJobActivities
{
    /// <summary>Publishes JobFailed with the stage and reason already recorded on the instance.</summary>
    public static EventActivityBinder<TrainingJobState, T> PublishFailed<T>(this EventActivityBinder<TrainingJobState, T> binder)
        where T : class =>
        binder.Publish(ctx => new JobFailed { JobId = ctx.Saga.CorrelationId, Stage = ctx.Saga.FailedStage!, Reason = ctx.Saga.FailureReason! });
}
