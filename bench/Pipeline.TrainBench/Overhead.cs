using System.Diagnostics;
using System.Globalization;
using Pipeline.Contracts;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Testing.Training;
using Pipeline.Training.IntegrationTests;

namespace Pipeline.TrainBench;

/// <summary>
/// Coordination overhead on the local stack (RabbitMQ, PostgreSQL, S3): rounds whose arithmetic is negligible
/// (64 rows per shard, an 8-unit hidden layer), so a round's wall time is what the saga, the broker and the
/// artifact store cost. And how a job's wall time changes with the number of worker processes, with the share of it
/// that is coordination: wall time minus the arithmetic on the round's critical path, as the workers measured it
/// (<see cref="ShardResult.ComputeSeconds"/>, <see cref="RoundRecord.MergeComputeSeconds"/>).
/// </summary>
internal static class Overhead
{
    public static async Task<object> PerRound(int shards, int rounds)
    {
        await using var stack = await StackTraining.CreateAsync();
        var data = TrainingData.Create(trainRows: 64 * shards, validationRows: 256, seed: 1);
        await using var system = new TrainingSystem(data, settings: stack.Settings);
        await system.StartAsync();
        var job = await system.RunJob(Settings(shards, rounds, [8]), TimeSpan.FromMinutes(10));
        var (perRound, computePerRound) = SteadyRounds(job);
        return new
        {
            shards,
            rounds = job.History.Count,
            secondsPerRound = perRound,
            msPerShardPerRound = perRound * 1000 / shards,
            computeSecondsPerRound = computePerRound,
            coordinationFraction = 1 - (computePerRound / perRound),
            state = job.CurrentState,
        };
    }

    /// <summary>Worker processes on this host, against the local stack (each scenario its own database and vhost).</summary>
    public static async Task<object> Scaling(int workers, int shards, int rows, int rounds)
    {
        await using var stack = await StackTraining.CreateAsync();
        return await RunScaling(
            "local",
            workers,
            shards,
            rows,
            rounds,
            stack.Settings,
            i => ServiceProcess.Start("TrainWorker", stack.With(("Pipeline:TrainWorker:WorkerName", $"worker-{i}"))));
    }

    /// <summary>
    /// Each worker process on a host of its own (network namespaces, infra/netns.sh): broker, database and store on
    /// the infra host, the saga in this process in the root namespace, all traffic over the veth links.
    /// </summary>
    public static async Task<object> ScalingOnHosts(NetworkNamespaces net, int workers, int shards, int rows, int rounds)
    {
        var settings = new Dictionary<string, string?>(net.Settings, StringComparer.OrdinalIgnoreCase)
        {
            ["Pipeline:Scheduler:PollInterval"] = "00:00:00.200",
        };
        return await RunScaling(
            "netns",
            workers,
            shards,
            rows,
            rounds,
            settings,
            i => net.Start($"w{i + 1}", "TrainWorker", new Dictionary<string, string?>(settings) { ["Pipeline:TrainWorker:WorkerName"] = $"w{i + 1}" }));
    }

    private static async Task<object> RunScaling(string hosts, int workers, int shards, int rows, int rounds, IReadOnlyDictionary<string, string?> settings, Func<int, ServiceProcess> startWorker)
    {
        var data = TrainingData.Create(trainRows: rows, validationRows: 5_000, seed: 2);
        var processes = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                processes.Add(startWorker(i));
            }

            await Task.WhenAll(processes.Select(p => p.WaitForLine("Application started", TimeSpan.FromMinutes(2))));
            await using var system = new TrainingSystem(data, settings: settings, inProcessWorkers: false);
            await system.StartAsync();
            var started = Stopwatch.GetTimestamp();
            var job = await system.RunJob(Settings(shards, rounds, [256, 256]), TimeSpan.FromMinutes(20));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var (perRound, computePerRound) = SteadyRounds(job);
            var training = (job.TrainedAt!.Value - job.PreprocessedAt!.Value).TotalSeconds;
            var critical = job.History.Sum(CriticalCompute);
            return new
            {
                hosts,
                workers,
                shards,
                rows,
                rounds = job.History.Count,
                wallSeconds = seconds,
                trainingSeconds = training,
                criticalComputeSeconds = critical,
                coordinationFraction = 1 - (critical / training),
                workerComputeSeconds = job.History.Sum(h => h.Shards.Sum(s => s.ComputeSeconds ?? 0) + (h.MergeComputeSeconds ?? 0)),
                secondsPerRound = perRound,
                computeSecondsPerRound = computePerRound,
                coordinationSecondsPerRound = perRound - computePerRound,
                state = job.CurrentState,
            };
        }
        finally
        {
            foreach (var p in processes)
            {
                await p.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The arithmetic a round cannot do without: the busiest worker's shards one after another (a worker trains one
    /// shard at a time), then the merge.
    /// </summary>
    private static double CriticalCompute(RoundRecord round) =>
        round.Shards.GroupBy(s => s.Worker).Max(g => g.Sum(s => s.ComputeSeconds ?? 0)) + (round.MergeComputeSeconds ?? 0);

    // Rounds 2.. only: round 1 also pays for the first shard downloads and JIT warm-up.
    private static (double SecondsPerRound, double ComputePerRound) SteadyRounds(TrainingJobState job)
    {
        var history = job.History;
        if (history.Count < 3)
        {
            return (double.NaN, double.NaN);
        }

        var seconds = (history[^1].MergedAt - history[1].MergedAt).TotalSeconds / (history.Count - 2);
        var compute = history.Skip(2).Average(CriticalCompute);
        return (seconds, compute);
    }

    private static TrainingSettings Settings(int shards, int rounds, int[] hidden) => new()
    {
        Shards = shards,
        Rounds = rounds,
        LocalEpochs = 1,
        BatchSize = 256,
        HiddenLayers = hidden,
        LearningRate = 0.001,
        Patience = 0,
        Seed = 3,
    };

    public static string Format(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
