using System.Diagnostics;
using System.Security.Cryptography;
using Pipeline.Contracts;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Testing.Training;

namespace Pipeline.Training.IntegrationTests.Chaos;

/// <summary>
/// One chaos scenario's system on the local stack: the saga in this process or in an Orchestrator process of its own,
/// stand-ins for the other stages in this process, two TrainWorkers as real processes (they also merge), its own
/// database and virtual host. Every scenario runs the
/// same job on the same data, so its final model can be compared with the undisturbed run's bit for bit.
/// </summary>
internal sealed class ChaosRun : IAsyncDisposable
{
    /// <summary>6 rounds of 2 shards, early stopping off: every run, disturbed or not, trains exactly 12 shard-rounds.</summary>
    public static readonly TrainingSettings Job = StackTraining.Job(shards: 2, rounds: 6, hidden: [64, 64]);

    private static readonly TrainingData Data = TrainingData.Create(trainRows: 60_000, validationRows: 2_000, seed: 11);

    private readonly StackTraining _stack;
    private readonly List<ServiceProcess> _workers = [];
    private readonly List<ServiceProcess> _processes = []; // every process started (workers and orchestrators), to dispose
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ChaosRun(StackTraining stack, TrainingSystem system)
    {
        _stack = stack;
        System = system;
    }

    public TrainingSystem System { get; private set; }

    public IReadOnlyList<ServiceProcess> Workers => _workers;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <param name="orchestratorProcess">The saga in an Orchestrator process of its own (which a scenario can SIGKILL) instead of this one.</param>
    /// <param name="hold">A stand-in stage that waits at its first command until the scenario releases it.</param>
    public static async Task<ChaosRun> StartAsync(bool orchestratorProcess = false, StageHold? hold = null)
    {
        var stack = await StackTraining.CreateAsync();
        var system = new TrainingSystem(Data, settings: stack.Settings, inProcessWorkers: false, inProcessOrchestrator: !orchestratorProcess, hold: hold);
        await system.StartAsync();
        var run = new ChaosRun(stack, system);
        if (orchestratorProcess)
        {
            await run.StartOrchestratorAsync();
        }

        // Up before any fault: a service whose broker is unreachable at start exits after the bus's start timeout (for
        // its supervisor to start it again), and the scenarios are about a running job, not a starting worker.
        foreach (var worker in new[] { run.AddWorker("worker-a"), run.AddWorker("worker-b") })
        {
            await worker.WaitForLine("Application started", TimeSpan.FromMinutes(2));
        }

        return run;
    }

    /// <summary>The Orchestrator process, when the run has one.</summary>
    public ServiceProcess? Orchestrator { get; private set; }

    /// <summary>Starts an Orchestrator process and waits until its bus is up (the host waits for the bus before it reports started).</summary>
    public async Task StartOrchestratorAsync()
    {
        Orchestrator = ServiceProcess.Start("Orchestrator", _stack.Settings);
        _processes.Add(Orchestrator);
        // A job published before its saga's queue is bound would go nowhere.
        await Orchestrator.WaitForLine("Application started", TimeSpan.FromMinutes(2));
    }

    public ServiceProcess AddWorker(string name)
    {
        var worker = ServiceProcess.Start("TrainWorker", _stack.With(("Pipeline:TrainWorker:WorkerName", name)));
        _workers.Add(worker);
        _processes.Add(worker);
        return worker;
    }

    public Task<Guid> Submit() => System.Submit(Job);

    public Task<TrainingJobState> WaitForRounds(Guid id, int rounds, TimeSpan? timeout = null) =>
        System.WaitFor(id, j => j?.History.Count >= rounds || TrainingSystem.IsOver(j), timeout ?? TimeSpan.FromMinutes(5));

    public Task<TrainingJobState> WaitForEnd(Guid id, TimeSpan? timeout = null) =>
        System.WaitFor(id, TrainingSystem.IsOver, timeout ?? TimeSpan.FromMinutes(10));

    /// <summary>The orchestrator (this process's saga host) stopped, then a new one on the same database and broker.</summary>
    public Task RestartOrchestratorAsync(TimeSpan down) => RestartOrchestratorAsync(() => Task.Delay(down));

    /// <summary>The orchestrator stopped, <paramref name="whileDown"/> run, then a new one on the same database and broker.</summary>
    public async Task RestartOrchestratorAsync(Func<Task> whileDown)
    {
        await System.DisposeAsync();
        await whileDown();
        System = new TrainingSystem(Data, settings: _stack.Settings, inProcessWorkers: false);
        await System.StartAsync();
    }

    /// <summary>Shard trainings the workers started (a killed worker's unfinished one included).</summary>
    public int ShardTrainingsStarted => _workers.Sum(w => w.Output.Split('\n').Count(l => l.Contains(": training", StringComparison.Ordinal)));

    public async Task<string> ModelSha256(TrainingJobState job) =>
        job.BestModel is { } model ? Convert.ToHexString(SHA256.HashData(await System.Bytes(model))) : "(no model)";

    /// <summary>What the job's history says was lost or counted twice: every round once, every shard once per round.</summary>
    public static string LostOrDuplicated(TrainingJobState job)
    {
        var problems = new List<string>();
        var rounds = job.History.Select(h => h.Round).ToList();
        if (!rounds.SequenceEqual(Enumerable.Range(1, rounds.Count)))
        {
            problems.Add($"rounds {string.Join(',', rounds)}");
        }

        foreach (var round in job.History.Where(h => !h.Shards.Select(s => s.Shard).Order().SequenceEqual(Enumerable.Range(0, Job.Shards))))
        {
            problems.Add($"round {round.Round} shards {string.Join(',', round.Shards.Select(s => s.Shard))}");
        }

        return problems.Count == 0 ? "none" : string.Join("; ", problems);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await System.DisposeAsync();
        await _stack.DisposeAsync();
    }
}
