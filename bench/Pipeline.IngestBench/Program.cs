using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using nietras.SeparatedValues;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;
using Pipeline.Preprocess;

// Usage:
//   Pipeline.IngestBench generate FILE MEGABYTES     a CSV like the seed's houses (7 numeric, 1 categorical, target)
//   Pipeline.IngestBench read|sep|mlnet|ingest|preprocess|flow FILE [SHARDS]
// Each measurement runs in its own process (bench/ingest-bench.sh) so its peak memory is its own.
var mode = args.ElementAtOrDefault(0) ?? "help";
var file = args.ElementAtOrDefault(1) ?? string.Empty;
switch (mode)
{
    case "generate":
        Generate(file, long.Parse(args[2], CultureInfo.InvariantCulture) << 20);
        return 0;
    case "read":
        return Measure("plain read (FileStream, count lines)", file, () => ReadPlain(file));
    case "sep":
        return Measure("Sep 0.17.1 alone: parse every field (numbers as double)", file, () => ReadSep(file));
    case "mlnet":
        return Measure("ML.NET 5.0.1 LoadFromTextFile + cursor over every column", file, () => ReadMlNet(file));
    case "ingest":
        return Measure("Ingest validation pass (CsvSource + DatasetScanner)", file, () => Ingest(file));
    case "preprocess":
        var shards = int.Parse(args.ElementAtOrDefault(2) ?? "8", CultureInfo.InvariantCulture);
        var spec = new JobSpec { Target = "price", Task = TaskKind.Regression, Training = new TrainingSettings { Shards = shards } };
        var schema = SchemaOf(file, spec);
        return Measure($"Preprocess (fit pass + transform/write pass, {shards} shards)", file, () => Preprocess(file, spec, schema));
    case "flow":
        return Measure("Whole flow in embedded mode: listing → JobSubmitted → ValidateDataset → PreprocessDataset → DatasetPreprocessed (local store, SQLite, in-memory bus)", file, () => Flow(file).GetAwaiter().GetResult());
    default:
        Console.Error.WriteLine("usage: generate FILE MB | read|sep|mlnet|ingest|preprocess|flow FILE [SHARDS]");
        return 2;
}

static int Measure(string what, string file, Func<string> run)
{
    var bytes = new FileInfo(file).Length;
    var watch = Stopwatch.StartNew();
    var detail = run();
    watch.Stop();
    using var process = Process.GetCurrentProcess();
    var mb = bytes / 1e6;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {what} | {mb:F0} MB | {watch.Elapsed.TotalSeconds:F1} s | {mb / watch.Elapsed.TotalSeconds:F0} MB/s | {process.PeakWorkingSet64 / 1e6:F0} MB | {detail} |"));
    return 0;
}

static void Generate(string path, long targetBytes)
{
    string[] cities = ["Paris", "Lyon", "\"Nice, FR\"", "Lille", "Nantes", "Bordeaux"];
    var random = new Random(42);
    using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 20);
    writer.Write("sqft,rooms,bathrooms,age,lat,lon,income,city,price\n");
    var line = new System.Text.StringBuilder(160);
    long written = 0;
    while (written < targetBytes)
    {
        line.Clear();
        var sqft = 300 + (random.NextDouble() * 3000);
        line.Append(CultureInfo.InvariantCulture, $"{sqft:F1},{random.Next(1, 8)},{random.Next(1, 4)},{(random.Next(50) == 0 ? string.Empty : random.Next(0, 120).ToString(CultureInfo.InvariantCulture))},");
        line.Append(CultureInfo.InvariantCulture, $"{43 + (random.NextDouble() * 8):F5},{-1 + (random.NextDouble() * 8):F5},{20000 + (random.NextDouble() * 150000):F2},{cities[random.Next(cities.Length)]},");
        line.Append(CultureInfo.InvariantCulture, $"{(sqft * 210) + (random.NextDouble() * 50000):F2}\n");
        writer.Write(line);
        written += line.Length;
    }
}

static string ReadPlain(string path)
{
    using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
    var buffer = new byte[1 << 20];
    long lines = 0;
    int n;
    while ((n = stream.Read(buffer)) > 0)
    {
        lines += buffer.AsSpan(0, n).Count((byte)'\n');
    }

    return $"{lines} lines";
}

static string ReadMlNet(string path)
{
    var ml = new MLContext(seed: 1);
    var numeric = new[] { "sqft", "rooms", "bathrooms", "age", "lat", "lon", "income" };
    var columns = numeric.Select((name, i) => new TextLoader.Column(name, DataKind.Single, i))
        .Append(new TextLoader.Column("city", DataKind.String, 7))
        .Append(new TextLoader.Column("price", DataKind.Single, 8))
        .ToArray();
    var data = ml.Data.LoadFromTextFile(path, columns, separatorChar: ',', hasHeader: true, allowQuoting: true);
    using var cursor = data.GetRowCursor(data.Schema);
    var getters = numeric.Append("price").Select(c => cursor.GetGetter<float>(data.Schema[c])).ToArray();
    var city = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema["city"]);
    long rows = 0;
    double sum = 0;
    float value = 0;
    ReadOnlyMemory<char> text = default;
    while (cursor.MoveNext())
    {
        foreach (var getter in getters)
        {
            getter(ref value);
            sum += value;
        }

        city(ref text);
        rows++;
    }

    return $"{rows} rows";
}

static string ReadSep(string path)
{
    using var reader = Sep.Reader(o => o with { Unescape = true }).FromFile(path);
    long rows = 0;
    double sum = 0;
    foreach (var row in reader)
    {
        for (var i = 0; i < row.ColCount; i++)
        {
            if (row[i].TryParse<double>(out var v))
            {
                sum += v;
            }
        }

        rows++;
    }

    return $"{rows} rows";
}

static async Task<string> Flow(string path)
{
    // The timed part starts with the file already in the store: the upload is the user's, not the pipeline's.
    var root = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "ingest-bench-flow");
    Directory.CreateDirectory(root);
    var settings = new Dictionary<string, string?>
    {
        ["Pipeline:Transport"] = "inmemory",
        ["Pipeline:Database:Provider"] = "sqlite",
        ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(root, "pipeline.db")}",
        ["Pipeline:Storage:Provider"] = "local",
        ["Pipeline:Storage:Root"] = Path.Combine(root, "objects"),
        ["Pipeline:Storage:FlushToDisk"] = "false",
        ["Pipeline:Ingest:PollInterval"] = "00:00:00",
        ["Pipeline:Ingest:WorkFolder"] = Path.Combine(root, "work"),
        ["Pipeline:Preprocess:WorkFolder"] = Path.Combine(root, "work"),
        ["Pipeline:Bus:RetryLimit"] = "0",
    };
    try
    {
        await using var host = await Pipeline.Ingest.Tests.Support.IngestTestHost.StartAsync(settings);
        var bucket = host.Options.Bucket;
        await host.Store.EnsureBucketAsync(bucket);
        var input = File.OpenRead(path);
        await using (input)
        {
            await host.Store.PutAsync(bucket, "houses.csv", input, new Dictionary<string, string> { ["shards"] = "8", ["target"] = "price" });
        }

        var watch = Stopwatch.StartNew();
        await host.ListOnceAsync();
        var submitted = await host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "houses.csv", TimeSpan.FromMinutes(1));
        var accepted = await host.Probe.WaitFor<DatasetAccepted>(submitted.JobId, TimeSpan.FromMinutes(20));
        var validated = watch.Elapsed;
        var done = await host.Probe.WaitFor<DatasetPreprocessed>(submitted.JobId, TimeSpan.FromMinutes(30));
        var total = watch.Elapsed;
        return string.Create(CultureInfo.InvariantCulture,
            $"{accepted.Rows} rows; accepted after {validated.TotalSeconds:F1} s, {done.Shards.Count} shards after {total.TotalSeconds:F1} s ({new FileInfo(path).Length / 1e6 / total.TotalSeconds:F0} MB/s end to end, time in the table includes the 1 GB copy into the store)");
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(root, recursive: true);
    }
}

static string Ingest(string path)
{
    using var source = CsvSource.OpenFile(path, new CsvLimits());
    var scan = DatasetScanner.Scan(source, new JobSpec(), new ScanOptions());
    return $"{scan.Rows} rows, task {scan.ResolvedSpec.Task}";
}

// Ingest's scan, outside the timed preprocessing as in the pipeline (Ingest stores it, Preprocess reads it).
static DatasetSchema SchemaOf(string path, JobSpec spec)
{
    var limits = new CsvLimits();
    using var source = CsvSource.OpenFile(path, limits);
    return DatasetSchema.From(DatasetScanner.Scan(source, spec, new ScanOptions()), limits);
}

static string Preprocess(string path, JobSpec spec, DatasetSchema schema)
{
    var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "ingest-bench-out");
    var result = new Preprocessor(new PreprocessOptions(), schema).Run(path, Path.GetFileName(path), spec, output);
    var written = Directory.GetFiles(output).Sum(f => new FileInfo(f).Length);
    Directory.Delete(output, recursive: true);
    return $"{result.Profile.TrainRows} train rows, {result.Transform.FeatureCount} features, {written / 1e6:F0} MB of shards";
}
