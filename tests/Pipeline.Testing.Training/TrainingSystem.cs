using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Orchestrator;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.TrainWorker;

namespace Pipeline.Testing.Training;

/// <summary>
/// The real saga (and, unless workers run in their own processes, the real workers) in one host, with stand-ins
/// for Ingest, Preprocess and Deploy. Embedded settings by default; the local stack's when given.
/// </summary>
public sealed class TrainingSystem : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-train-").FullName;
    private readonly IHost _host;

    /// <param name="inProcessOrchestrator">False: the saga runs in an Orchestrator process started by the test; this host only reads job state.</param>
    public TrainingSystem(TrainingData data, int workerConcurrency = 1, int? corruptShard = null, IReadOnlyDictionary<string, string?>? settings = null, bool inProcessWorkers = true, bool inProcessOrchestrator = true, StageHold? hold = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings ?? EmbeddedMode.Settings(_folder));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Bus:EndpointConcurrency:train-shard"] = workerConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        // Warnings and errors reach the test output, which is where a failing scenario is diagnosed.
        builder.Logging.ClearProviders().UsePipelineDefaults().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(new StandInOptions(corruptShard, hold));
        builder.Services.AddOrchestrator(builder.Configuration);
        builder.Services.AddTrainWorker(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration, x =>
        {
            x.AddOrchestratorSagas(consume: inProcessOrchestrator);
            if (inProcessWorkers)
            {
                x.AddTrainWorkerConsumers();
            }

            x.AddConsumer<StandInIngest>().Endpoint(e => e.Name = CommandQueues.ValidateDataset);
            x.AddConsumer<StandInPreprocess>().Endpoint(e => e.Name = CommandQueues.PreprocessDataset);
            x.AddConsumer<StandInDeploy>().Endpoint(e => e.Name = CommandQueues.DeployModel);
            if (hold is { Stage: StandInStage.Merge })
            {
                x.AddConfigureEndpointsCallback((_, name, endpoint) =>
                {
                    if (name == TrainingJobDefinition.Queue)
                    {
                        endpoint.ConfigureSend(send => send.UseFilter(new HeldMergeSend(hold)));
                    }
                });
            }
        });
        _host = builder.Build();
        LogContext.ConfigureCurrentLogContext(_host.Services.GetRequiredService<ILoggerFactory>());
    }

    public IArtifactStore Store => _host.Services.GetRequiredService<IArtifactStore>();

    public IServiceProvider Services => _host.Services;

    public Task StartAsync() => _host.StartAsync();

    public Task StopAsync() => _host.StopAsync();

    /// <summary>Submits a job; returns its id at once.</summary>
    public async Task<Guid> Submit(TrainingSettings settings)
    {
        var id = NewId.NextGuid();
        await _host.Services.GetRequiredService<IBus>().Publish(new JobSubmitted
        {
            JobId = id,
            Source = new ObjectRef("ingest", "synthetic.csv", new string('0', 64), 0),
            Spec = new JobSpec { Target = "y", Task = TaskKind.Regression, Training = settings },
            SubmittedAt = DateTimeOffset.UtcNow,
        });
        return id;
    }

    /// <summary>Submits a job and waits for it to end; returns its final state.</summary>
    public async Task<TrainingJobState> RunJob(TrainingSettings settings, TimeSpan? timeout = null) =>
        await WaitFor(await Submit(settings), IsOver, timeout);

    public static bool IsOver(TrainingJobState? job) => Orchestrator.Api.JobViewMapper.IsOver(job);

    /// <summary>Waits until the stored job satisfies the condition (read through the saga's load repository).</summary>
    public async Task<TrainingJobState> WaitFor(Guid id, Func<TrainingJobState?, bool> condition, TimeSpan? timeout = null)
    {
        var jobs = _host.Services.GetRequiredService<ILoadSagaRepository<TrainingJobState>>();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        TrainingJobState? job = null;
        try
        {
            while (await tick.WaitForNextTickAsync(cts.Token))
            {
                job = await jobs.Load(id);
                if (condition(job))
                {
                    return job!;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"job {id} did not get there; last seen {job?.CurrentState ?? "(none)"}, round {job?.Round}, {job?.FailureReason}");
    }

    public async Task<byte[]> Bytes(ObjectRef reference) => await Store.ReadAllBytesAsync(reference.Bucket, reference.Key);

    public async ValueTask DisposeAsync()
    {
        // A bus that cannot stop must fail the test, not hang the run: seen once after a broker restart, with two
        // receive endpoints still waiting for a connection, MassTransit's stop never returned (the host's shutdown
        // token does not end it).
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(stopping.Token).WaitAsync(TimeSpan.FromMinutes(1));
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
