using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Testing.Training;
using Pipeline.Training.IntegrationTests;
using Pipeline.TrainBench;

// Convergence parity: the seed workload (200k house-price rows, MLP 64 relu -> 1, Adam 0.001) trained on K shards
// for the same number of passes over the data, through the real saga and workers in embedded mode.
//   dotnet run -c Release --project bench/Pipeline.TrainBench -- parity [--rows 200000] [--rounds 10] [--shards 1,2,4,8] [--json]
// Coordination overhead and worker scaling on the local stack (needs `source infra/.state/stack.env`), and the
// scaling again with each worker on a host of its own (network namespaces, infra/netns.sh, root):
//   dotnet run -c Release --project bench/Pipeline.TrainBench -- overhead [--skip-per-round] [--skip-scaling] [--netns] [--rows 200000]
var options = Args.Parse(args);
if (options.Command == "overhead")
{
    var perRound = new List<object>();
    foreach (var k in args.Contains("--skip-per-round") ? [] : new[] { 2, 8, 32 })
    {
        perRound.Add(await Overhead.PerRound(k, rounds: 6));
        Console.Error.WriteLine(JsonSerializer.Serialize(perRound[^1]));
    }

    var scaling = new List<object>();
    foreach (var workers in args.Contains("--skip-scaling") ? [] : new[] { 1, 2, 4 })
    {
        scaling.Add(await Overhead.Scaling(workers, shards: 4, rows: options.Rows, rounds: 3));
        Console.Error.WriteLine(JsonSerializer.Serialize(scaling[^1]));
    }

    if (args.Contains("--netns"))
    {
        await using var net = await NetworkNamespaces.UpAsync("infra", "w1", "w2", "w3", "w4");
        foreach (var workers in new[] { 1, 2, 4 })
        {
            scaling.Add(await Overhead.ScalingOnHosts(net, workers, shards: 4, rows: options.Rows, rounds: 3));
            Console.Error.WriteLine(JsonSerializer.Serialize(scaling[^1]));
        }
    }

    Console.WriteLine(JsonSerializer.Serialize(new { perRound, scaling }));
    return 0;
}

if (options.Command != "parity")
{
    Console.Error.WriteLine("usage: Pipeline.TrainBench parity [--rows N] [--rounds R] [--shards 1,2,4,8] [--json] | overhead");
    return 64;
}

var data = HousePrices.Generate(options.Rows, options.Rows / 10, seed: 2026);
var results = new List<object>();
double? baseline = null;
foreach (var k in options.Shards)
{
    await using var system = new TrainingSystem(data);
    await system.StartAsync();
    var started = Stopwatch.GetTimestamp();
    var job = await system.RunJob(new TrainingSettings
    {
        Shards = k,
        Rounds = options.Rounds,
        LocalEpochs = 1,
        BatchSize = 256,
        HiddenLayers = [64],
        Optimizer = "adam",
        LearningRate = 0.001,
        Patience = 0,
        Seed = 42,
    }, TimeSpan.FromMinutes(30));
    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var mse = job.BestValidationLoss ?? double.NaN;
    baseline ??= mse;
    results.Add(new { shards = k, rounds = job.History.Count, passes = job.History.Count, valMse = mse, ratioToK1 = mse / baseline.Value, wallSeconds = seconds, state = job.CurrentState });
    if (!options.Json)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"K={k,-2} rounds={job.History.Count,-3} val MSE={mse:F5} ratio={mse / baseline.Value:F4} wall={seconds:F1}s {job.CurrentState}"));
    }
}

if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(new { rows = options.Rows, results }));
}

return 0;

internal sealed record Args(string Command, int Rows, int Rounds, int[] Shards, bool Json)
{
    public static Args Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        return new Args(
            args.FirstOrDefault() ?? "",
            int.Parse(Value("--rows", "200000"), CultureInfo.InvariantCulture),
            int.Parse(Value("--rounds", "10"), CultureInfo.InvariantCulture),
            [.. Value("--shards", "1,2,4,8").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))],
            args.Contains("--json"));
    }
}
