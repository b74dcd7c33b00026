using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pipeline.Deploy;
using Pipeline.Deploy.Deployment;
using Pipeline.Deploy.Onnx;
using Pipeline.Deploy.Serving;
using Pipeline.Numerics.Serialization;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.ServeBench;

// serve FOLDER PORT: deploys the seed model in embedded mode under FOLDER, writes the wrk bodies there, serves.
// inproc FOLDER SECONDS: our engine and ONNX Runtime in-process on the same rows (1-row and 256-row calls).
var mode = args.ElementAtOrDefault(0) ?? "serve";
var folder = Path.GetFullPath(args.ElementAtOrDefault(1) ?? ".serve-bench");
var settings = new Dictionary<string, string?>
{
    ["Pipeline:Transport"] = "inmemory",
    ["Pipeline:Database:Provider"] = "sqlite",
    ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "registry.db")}",
    ["Pipeline:Storage:Provider"] = "local",
    ["Pipeline:Storage:Root"] = Path.Combine(folder, "objects"),
    ["Pipeline:Deploy:Baseline"] = "false",
};

if (mode == "serve")
{
    Directory.CreateDirectory(folder);
    var port = args.ElementAtOrDefault(2) ?? "5099";
    var builder = WebApplication.CreateSlimBuilder();
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Logging.UsePipelineDefaults().SetMinimumLevel(LogLevel.Warning);
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    builder.Services.AddDeploy(builder.Configuration);
    builder.Services.AddPipelineBus(builder.Configuration, x => x.AddDeployConsumers());
    await using var app = builder.Build();
    app.MapServingApi();
    await app.StartAsync();
    var outcome = await app.Services.GetRequiredService<ModelDeployer>().DeployAsync(await SeedModel.StageAsync(app.Services.GetRequiredService<IArtifactStore>()), CancellationToken.None);
    var (raw, _) = SeedModel.Rows(256, 7);
    await File.WriteAllTextAsync(Path.Combine(folder, "single.json"), JsonSerializer.Serialize(RowObject(raw, 0)));
    await File.WriteAllTextAsync(Path.Combine(folder, "batch256.json"), JsonSerializer.Serialize(Enumerable.Range(0, 256).Select(i => RowObject(raw, i))));
    Console.WriteLine($"ready {outcome}");
    await app.WaitForShutdownAsync();
    return 0;
}

var seconds = double.Parse(args.ElementAtOrDefault(2) ?? "5", CultureInfo.InvariantCulture);
var store = ArtifactStoreServiceCollectionExtensions.Create(new ArtifactStoreOptions { Root = Path.Combine(folder, "objects") });
var network = ModelFile.Load(new MemoryStream(await store.ReadAllBytesAsync("models", "seed/1/model.pnnm"))).Network;
var onnx = await store.ReadAllBytesAsync("models", "seed/1/model.onnx");
using var session = new InferenceSession(onnx);
using var oneThread = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
using var singleThreaded = new InferenceSession(onnx, oneThread);
var (rows, _) = SeedModel.Rows(256, 7);
Console.WriteLine("| path | rows per call | calls/s | rows/s | p50 µs | p99 µs |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var batch in new[] { 1, 256 })
{
    var raw = rows[..(batch * SeedModel.Features)];
    var output = new float[batch];

    // Ours: the same work as the serving path minus HTTP and JSON: scale raw values, run the engine.
    Report("Pipeline engine (in-process)", batch, Measure(seconds, () =>
    {
        var scaled = SeedModel.Scale(raw);
        network.Predict(scaled, batch, output);
    }));

    var tensor = new DenseTensor<float>(raw, [batch, SeedModel.Features]);
    var inputs = new[] { NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor) };
    Report("ONNX Runtime 1.31.1 (in-process, default threads)", batch, Measure(seconds, () =>
    {
        using var results = session.Run(inputs);
    }));
    Report("ONNX Runtime 1.31.1 (in-process, 1 thread)", batch, Measure(seconds, () =>
    {
        using var results = singleThreaded.Run(inputs);
    }));
}

return 0;

static Dictionary<string, float> RowObject(float[] raw, int row) =>
    Enumerable.Range(0, SeedModel.Features).ToDictionary(j => $"x{j}", j => raw[(row * SeedModel.Features) + j]);

static List<double> Measure(double seconds, Action call)
{
    for (var i = 0; i < 2000; i++)
    {
        call(); // warm-up (JIT tiers, pools)
    }

    var latencies = new List<double>();
    var total = Stopwatch.StartNew();
    while (total.Elapsed.TotalSeconds < seconds)
    {
        var start = Stopwatch.GetTimestamp();
        call();
        latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }

    return latencies;
}

static void Report(string path, int batch, List<double> latencies)
{
    var sum = latencies.Sum();
    latencies.Sort();
    var callsPerSecond = latencies.Count / (sum / 1e6);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {path} | {batch} | {callsPerSecond:N0} | {callsPerSecond * batch:N0} | {latencies[latencies.Count / 2]:F1} | {latencies[(int)(latencies.Count * 0.99)]:F1} |"));
}
