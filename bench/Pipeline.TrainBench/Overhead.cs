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
/// artifact store cost. And how a job's wall time changes with the number of worker processes.
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
        var perRound = RoundSeconds(job);
        return new { shards, rounds = job.History.Count, secondsPerRound = perRound, msPerShardPerRound = perRound * 1000 / shards, state = job.CurrentState };
    }

    public static async Task<object> Scaling(int workers, int shards, int rows, int rounds)
    {
        await using var stack = await StackTraining.CreateAsync();
        var data = TrainingData.Create(trainRows: rows, validationRows: 5_000, seed: 2);
        var processes = new List<ServiceProcess>();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                processes.Add(ServiceProcess.Start("TrainWorker", stack.With(("Pipeline:TrainWorker:WorkerName", $"worker-{i}"))));
            }

            await using var system = new TrainingSystem(data, settings: stack.Settings, inProcessWorkers: false);
            await system.StartAsync();
            var started = Stopwatch.GetTimestamp();
            var job = await system.RunJob(Settings(shards, rounds, [256, 256]), TimeSpan.FromMinutes(20));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new { workers, shards, rows, rounds = job.History.Count, wallSeconds = seconds, secondsPerRound = RoundSeconds(job), state = job.CurrentState };
        }
        finally
        {
            foreach (var p in processes)
            {
                await p.DisposeAsync();
            }
        }
    }

    // Rounds 2.. only: round 1 also pays for the first shard downloads and JIT warm-up.
    private static double RoundSeconds(TrainingJobState job)
    {
        var merged = job.History.Select(h => h.MergedAt).ToList();
        return merged.Count < 3 ? double.NaN : (merged[^1] - merged[1]).TotalSeconds / (merged.Count - 2);
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
