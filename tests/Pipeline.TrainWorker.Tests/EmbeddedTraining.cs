using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Orchestrator;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Messaging;

namespace Pipeline.TrainWorker.Tests;

/// <summary>
/// The real saga and the real workers in one process (embedded mode: in-memory transport, SQLite, local folder),
/// with stand-ins for the stages around training.
/// </summary>
internal sealed class EmbeddedTraining : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-train-").FullName;
    private readonly IHost _host;

    public EmbeddedTraining(TrainingData data, int workerConcurrency = 1, int? corruptShard = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Transport"] = "inmemory",
            ["Pipeline:Database:Provider"] = "sqlite",
            ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, "pipeline.db")}",
            ["Pipeline:Storage:Provider"] = "local",
            ["Pipeline:Storage:Root"] = Path.Combine(_folder, "objects"),
            ["Pipeline:Bus:EndpointConcurrency:train-shard"] = workerConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(new StandInOptions(corruptShard));
        builder.Services.AddOrchestrator(builder.Configuration);
        builder.Services.AddTrainWorker(builder.Configuration);
        builder.Services.AddPipelineBus(builder.Configuration, x =>
        {
            x.AddOrchestratorSagas();
            x.AddTrainWorkerConsumers();
            x.AddConsumer<StandInIngest>().Endpoint(e => e.Name = CommandQueues.ValidateDataset);
            x.AddConsumer<StandInPreprocess>().Endpoint(e => e.Name = CommandQueues.PreprocessDataset);
            x.AddConsumer<StandInDeploy>().Endpoint(e => e.Name = CommandQueues.DeployModel);
        });
        _host = builder.Build();
        LogContext.ConfigureCurrentLogContext(_host.Services.GetRequiredService<ILoggerFactory>());
    }

    public IArtifactStore Store => _host.Services.GetRequiredService<IArtifactStore>();

    public Task StartAsync() => _host.StartAsync();

    /// <summary>Submits a job and waits for it to end; returns its final state.</summary>
    public async Task<TrainingJobState> RunJob(TrainingSettings settings, TimeSpan? timeout = null)
    {
        var id = NewId.NextGuid();
        await _host.Services.GetRequiredService<IBus>().Publish(new JobSubmitted
        {
            JobId = id,
            Source = new ObjectRef("ingest", "synthetic.csv", new string('0', 64), 0),
            Spec = new JobSpec { Target = "y", Task = TaskKind.Regression, Training = settings },
            SubmittedAt = DateTimeOffset.UtcNow,
        });

        var jobs = _host.Services.GetRequiredService<ILoadSagaRepository<TrainingJobState>>();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        string[] outcomes = ["Completed", "GateRejected", "Failed", "Cancelled"];
        while (await tick.WaitForNextTickAsync(cts.Token))
        {
            var job = await jobs.Load(id);
            if (job is not null && outcomes.Contains(job.CurrentState))
            {
                return job;
            }
        }

        throw new TimeoutException();
    }

    public async Task<byte[]> Bytes(ObjectRef reference) => await Store.ReadAllBytesAsync(reference.Bucket, reference.Key);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
