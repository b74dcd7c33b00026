using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Orchestrator;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Messaging;

namespace Pipeline.Orchestrator.Tests;

/// <summary>One in-memory harness around the TrainingJob state machine, with helpers that play the other services.</summary>
internal sealed class JobHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private JobHarness(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<TrainingJobStateMachine, TrainingJobState>();
        Machine = provider.GetRequiredService<TrainingJobStateMachine>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<TrainingJobStateMachine, TrainingJobState> Saga { get; }
    public TrainingJobStateMachine Machine { get; }
    public Guid JobId { get; } = NewId.NextGuid();

    /// <param name="options">Changes to the orchestrator's settings (deadlines) beyond the two common ones.</param>
    /// <param name="services">Consumers that play the other services, e.g. one that throws so its command faults.</param>
    /// <param name="lostSends">
    /// The saga's endpoint set up as in production (retries outside the in-memory outbox, which sends after the save)
    /// and the first sends of each listed command type failing as a broker gone away would make them fail.
    /// </param>
    public static async Task<JobHarness> StartAsync(TimeSpan? roundTimeout = null, int maxAttempts = 3, Action<OrchestratorOptions>? options = null, Action<IBusRegistrationConfigurator>? services = null, LostSends? lostSends = null)
    {
        var provider = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .Configure<OrchestratorOptions>(o =>
            {
                o.RoundTimeout = roundTimeout ?? TimeSpan.FromMinutes(10);
                o.MaxShardAttempts = maxAttempts;
                options?.Invoke(o);
            })
            .AddMassTransitTestHarness(x =>
            {
                services?.Invoke(x);
                x.AddDelayedMessageScheduler();
                if (lostSends is null)
                {
                    x.AddSagaStateMachine<TrainingJobStateMachine, TrainingJobState>().InMemoryRepository();
                }
                else
                {
                    x.AddSingleton(lostSends);
                    x.AddConsumer<LostSends.Receiver<ValidateDataset>>().Endpoint(e => e.Name = CommandQueues.ValidateDataset);
                    x.AddConsumer<LostSends.Receiver<PreprocessDataset>>().Endpoint(e => e.Name = CommandQueues.PreprocessDataset);
                    x.AddConsumer<LostSends.Receiver<TrainShard>>().Endpoint(e => e.Name = CommandQueues.TrainShard);
                    x.AddConsumer<LostSends.Receiver<MergeRound>>().Endpoint(e => e.Name = CommandQueues.MergeRound);
                    x.AddConsumer<LostSends.Receiver<DeployModel>>().Endpoint(e => e.Name = CommandQueues.DeployModel);
                    x.AddConfigureEndpointsCallback((_, _, e) => e.UseMessageRetry(r => r.Immediate(3)));
                    x.AddSagaStateMachine<TrainingJobStateMachine, TrainingJobState, TrainingJobDefinition>().InMemoryRepository();
                }

                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    if (lostSends is not null)
                    {
                        cfg.ConfigureSend(send => send.UseFilter(new LostSends.Filter(lostSends)));
                    }

                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = new JobHarness(provider);
        await harness.Harness.Start();
        return harness;
    }

    public Task Publish<T>(T message)
        where T : class => Harness.Bus.Publish(message);

    /// <summary>Waits until the job is in the given state; fails the test when it does not get there.</summary>
    public async Task<TrainingJobState> InState(Func<TrainingJobStateMachine, State> state)
    {
        var id = await Saga.Exists(JobId, state);
        Assert.True(id.HasValue, $"job never reached state {state(Machine).Name}; it is {Saga.Sagas.Contains(JobId)?.CurrentState ?? "(none)"}");
        return Saga.Sagas.Contains(JobId)!;
    }

    public static ObjectRef Ref(string key) => new("jobs", key, new string('a', 64), 100);

    public JobSpec Spec(int shards = 3, int rounds = 3, int patience = 0) => new()
    {
        Target = "price",
        Task = TaskKind.Regression,
        Training = new TrainingSettings { Shards = shards, Rounds = rounds, Patience = patience },
    };

    public async Task Submit(JobSpec spec) => await Publish(new JobSubmitted
    {
        JobId = JobId,
        Source = new ObjectRef("ingest", "uploads/House Prices.csv", new string('b', 64), 1000),
        Spec = spec,
        SubmittedAt = DateTimeOffset.UtcNow,
    });

    /// <summary>
    /// Plays Ingest and Preprocess so the job starts round 1 with the given number of shards; waits until it is seen
    /// Training unless <paramref name="waitForTraining"/> is false (a job that may leave Training at once).
    /// </summary>
    public async Task DriveToTraining(int shards = 3, int rounds = 3, int patience = 0, Func<JobSpec, JobSpec>? change = null, bool waitForTraining = true)
    {
        var spec = Spec(shards, rounds, patience);
        spec = change?.Invoke(spec) ?? spec;
        await Submit(spec);
        await InState(m => m.Validating);
        await Publish(new DatasetAccepted { JobId = JobId, DatasetId = "ds1", Dataset = Ref("datasets/ds1/raw.csv"), Columns = ["a", "price"], Rows = 1000, ResolvedSpec = spec });
        await InState(m => m.Preprocessing);
        await Publish(new DatasetPreprocessed
        {
            JobId = JobId,
            Shards = [.. Enumerable.Range(0, shards).Select(i => new ShardInfo(i, Ref($"jobs/x/prep/shard-{i}.bin"), 100))],
            Validation = Ref("jobs/x/prep/validation.bin"),
            Test = Ref("jobs/x/prep/test.bin"),
            Transform = Ref("jobs/x/prep/transform.json"),
            Profile = Ref("jobs/x/prep/profile.json"),
            Features = 5,
            Outputs = 1,
            Task = TaskKind.Regression,
        });
        if (waitForTraining)
        {
            await InState(m => m.Training);
        }
    }

    /// <summary>
    /// Plays Ingest so the job waits for Preprocess; waits until it is seen Preprocessing unless
    /// <paramref name="waitForPreprocessing"/> is false (a job whose preprocess command may fault at once).
    /// </summary>
    public async Task DriveToPreprocessing(bool waitForPreprocessing = true)
    {
        await Submit(Spec());
        await InState(m => m.Validating);
        await Publish(new DatasetAccepted { JobId = JobId, DatasetId = "ds1", Dataset = Ref("datasets/ds1/raw.csv"), Columns = ["a", "price"], Rows = 1000, ResolvedSpec = Spec() });
        if (waitForPreprocessing)
        {
            await InState(m => m.Preprocessing);
        }
    }

    /// <summary>
    /// A one-shard, one-round job trained and merged, waiting for Deploy; waits until it is seen Deploying unless
    /// <paramref name="waitForDeploying"/> is false (a job whose deploy command may fault at once).
    /// </summary>
    public async Task DriveToDeploying(Func<JobSpec, JobSpec>? change = null, bool waitForDeploying = true)
    {
        await DriveToTraining(shards: 1, rounds: 1, change: change);
        await Publish(Trained(1, 0));
        await InState(m => m.Merging);
        await Publish(Merged(1, 0.3));
        if (waitForDeploying)
        {
            await InState(m => m.Deploying);
        }
    }

    public ShardTrained Trained(int round, int shard, long samples = 100) => new()
    {
        JobId = JobId,
        Round = round,
        Shard = shard,
        Model = Ref($"jobs/x/rounds/{round}/shard-{shard}.model"),
        Samples = samples,
        Loss = 1.0 / round,
        Worker = "w" + shard,
    };

    public RoundMerged Merged(int round, double validationLoss) => new()
    {
        JobId = JobId,
        Round = round,
        Model = Ref($"jobs/x/rounds/{round}/merged.model"),
        TrainLoss = validationLoss,
        ValidationLoss = validationLoss,
        Validation = new ModelMetrics { Mse = validationLoss },
    };

    /// <summary>Every message of type T sent so far for this job, in order.</summary>
    public List<T> SentOf<T>()
        where T : class =>
        [.. Harness.Sent.Select<T>().Select(m => m.Context.Message)];

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
