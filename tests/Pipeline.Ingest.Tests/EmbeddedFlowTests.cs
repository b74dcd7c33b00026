using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Ingest.Registry;
using Pipeline.Ingest.Tests.Support;
using Pipeline.Ingest.Triggers;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Shards;

namespace Pipeline.Ingest.Tests;

/// <summary>The whole Ingest → Preprocess flow in embedded mode: in-memory bus, SQLite, local folder store.</summary>
public sealed class EmbeddedFlowTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-ingest-flow-" + Guid.NewGuid().ToString("N"));
    private IngestTestHost _host = null!;

    private Dictionary<string, string?> Settings => new()
    {
        ["Pipeline:Transport"] = "inmemory",
        ["Pipeline:Database:Provider"] = "sqlite",
        ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, "pipeline.db")}",
        ["Pipeline:Storage:Provider"] = "local",
        ["Pipeline:Storage:Root"] = Path.Combine(_folder, "objects"),
        ["Pipeline:Storage:FlushToDisk"] = "false",
        ["Pipeline:Ingest:PollInterval"] = "00:00:00",
        ["Pipeline:Ingest:WorkFolder"] = Path.Combine(_folder, "work"),
        ["Pipeline:Preprocess:WorkFolder"] = Path.Combine(_folder, "work"),
        ["Pipeline:Bus:RetryLimit"] = "1",
        ["Pipeline:Bus:RetryMinInterval"] = "00:00:00.050",
        ["Pipeline:Bus:RetryMaxInterval"] = "00:00:00.100",
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _host = await IngestTestHost.StartAsync(Settings);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    internal static string HousesCsv(int rows, int salt = 0) =>
        "sqft;city;age;price\n" + string.Concat(Enumerable.Range(0, rows).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{500 + ((i * 37) % 900)};{(i % 3 == 0 ? "\"Paris; FR\"" : "Lyon")};{(i % 11 == 0 ? string.Empty : (i % 40).ToString(CultureInfo.InvariantCulture))};{(1000 * (i + salt)) + 0.5}\n")));

    [Fact]
    public async Task A_dropped_parquet_file_is_validated_stored_and_preprocessed_like_the_same_table_in_csv()
    {
        await _host.PutAsync("houses.csv", HousesCsv(200));
        await _host.PutAsync("houses.parquet", HousesParquet(200, _folder));
        Assert.Equal(2, await _host.ListOnceAsync());
        var fromCsv = await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "houses.csv");
        var fromParquet = await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "houses.parquet");
        var csvDone = await _host.Probe.WaitFor<DatasetPreprocessed>(fromCsv.JobId);
        var parquetDone = await _host.Probe.WaitFor<DatasetPreprocessed>(fromParquet.JobId);

        var accepted = _host.Probe.All<DatasetAccepted>(fromParquet.JobId).Single();
        Assert.Equal(200, accepted.Rows);
        Assert.Equal("price", accepted.ResolvedSpec.Target);
        Assert.Equal(TaskKind.Regression, accepted.ResolvedSpec.Task);
        Assert.EndsWith("/data.parquet", accepted.Dataset.Key, StringComparison.Ordinal);
        Assert.Equal("houses", accepted.ResolvedSpec.ModelName);

        // The same columns, kinds and encoding: the same feature layout and the same split sizes.
        Assert.Equal(csvDone.Features, parquetDone.Features);
        Assert.Equal(csvDone.Shards.Sum(s => s.Rows), parquetDone.Shards.Sum(s => s.Rows));
        var csvTest = await ShardFile.ReadAsync(await _host.Store.OpenVerifiedReadAsync(csvDone.Test));
        var parquetTest = await ShardFile.ReadAsync(await _host.Store.OpenVerifiedReadAsync(parquetDone.Test));
        Assert.Equal(csvTest.Rows, parquetTest.Rows);
    }

    /// <summary><see cref="HousesCsv"/>'s table as Parquet, written by Apache Arrow (ParquetSharp) in two row groups.</summary>
    private static byte[] HousesParquet(int rows, string folder)
    {
        var path = Path.Combine(folder, "houses.parquet");
        Directory.CreateDirectory(folder);
        using (var file = new ParquetSharp.ParquetFileWriter(path, [new ParquetSharp.Column<int>("sqft"), new ParquetSharp.Column<string>("city"), new ParquetSharp.Column<int?>("age"), new ParquetSharp.Column<double>("price")]))
        {
            foreach (var part in Enumerable.Range(0, rows).Chunk((rows + 1) / 2))
            {
                using var group = file.AppendRowGroup();
                using (var w = group.NextColumn().LogicalWriter<int>())
                {
                    w.WriteBatch([.. part.Select(i => 500 + ((i * 37) % 900))]);
                }

                using (var w = group.NextColumn().LogicalWriter<string>())
                {
                    w.WriteBatch([.. part.Select(i => i % 3 == 0 ? "Paris; FR" : "Lyon")]);
                }

                using (var w = group.NextColumn().LogicalWriter<int?>())
                {
                    w.WriteBatch([.. part.Select(i => i % 11 == 0 ? (int?)null : i % 40)]);
                }

                using (var w = group.NextColumn().LogicalWriter<double>())
                {
                    w.WriteBatch([.. part.Select(i => (1000.0 * i) + 0.5)]);
                }
            }

            file.Close();
        }

        return File.ReadAllBytes(path);
    }

    [Fact]
    public async Task A_dropped_file_becomes_K_shards_whose_rows_add_up()
    {
        await _host.PutAsync("houses.csv", HousesCsv(300), new Dictionary<string, string> { ["shards"] = "3" });
        Assert.Equal(1, await _host.ListOnceAsync());
        var submitted = await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "houses.csv");
        var done = await _host.Probe.WaitFor<DatasetPreprocessed>(submitted.JobId);
        var accepted = _host.Probe.All<DatasetAccepted>(submitted.JobId).Single();
        Assert.Equal(300, accepted.Rows);
        Assert.Equal("price", accepted.ResolvedSpec.Target);
        Assert.Equal(TaskKind.Regression, accepted.ResolvedSpec.Task);
        Assert.Equal(3, done.Shards.Count);
        Assert.Equal(1, done.Outputs);

        long rows = 0;
        foreach (var shard in done.Shards)
        {
            var stream = await _host.Store.OpenVerifiedReadAsync(shard.Data);
            await using (stream)
            {
                var data = await ShardFile.ReadAsync(stream);
                Assert.Equal(shard.Rows, data.Rows);
                Assert.Equal(done.Features, data.FeatureCount);
                rows += data.Rows;
            }
        }

        var validation = await ShardFile.ReadAsync(await _host.Store.OpenVerifiedReadAsync(done.Validation));
        var test = await ShardFile.ReadAsync(await _host.Store.OpenVerifiedReadAsync(done.Test));
        Assert.Equal(300, rows + validation.Rows + test.Rows);
    }

    [Fact]
    public async Task One_job_per_object_version_whatever_sees_it_and_after_a_restart()
    {
        await _host.PutAsync("once.csv", HousesCsv(50));
        Assert.Equal(1, await _host.ListOnceAsync());
        Assert.Equal(0, await _host.ListOnceAsync());
        var notified = await _host.TriggerAsync("once.csv", "minio");
        var again = await _host.TriggerAsync("once.csv", "minio");
        Assert.Equal(TriggerOutcome.Duplicate, notified.Outcome);
        Assert.Equal(TriggerOutcome.Duplicate, again.Outcome);

        // A restarted service (fresh memory, same database) does not start it again.
        await _host.DisposeAsync();
        _host = await IngestTestHost.StartAsync(Settings);
        Assert.Equal(0, await _host.ListOnceAsync());

        // A new version of the same key is a new job, with another JobId.
        await _host.PutAsync("once.csv", HousesCsv(50, salt: 1));
        Assert.Equal(1, await _host.ListOnceAsync());
        var ids = await VersionsAsync();
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0].JobId, notified.JobId);
        Assert.NotEqual(ids[0].JobId, ids[1].JobId);
    }

    [Fact]
    public async Task A_crash_between_recording_and_publishing_is_completed_by_the_next_trigger()
    {
        await _host.PutAsync("crash.csv", HousesCsv(50));
        var info = await _host.Store.StatAsync(_host.Options.Bucket, "crash.csv");
        var jobId = JobIds.ForObjectVersion(_host.Options.Bucket, "crash.csv", info!.ETag!, new JobSpec());
        await using (var db = await Databases().CreateDbContextAsync())
        {
            db.ObjectVersions.Add(new ObjectVersionRecord { Bucket = _host.Options.Bucket, Key = "crash.csv", ETag = JobIds.NormalizeETag(info.ETag), SpecHash = JobIds.SpecFingerprint(new JobSpec()), JobId = jobId, Trigger = "listing", SpecJson = "{}", CreatedAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1) });
            await db.SaveChangesAsync();
        }

        var result = await _host.TriggerAsync("crash.csv");
        Assert.Equal((jobId, TriggerOutcome.Republished), (result.JobId, result.Outcome));
        await _host.Probe.WaitFor<DatasetPreprocessed>(jobId);
    }

    [Fact]
    public async Task Pipeline_submit_uses_the_same_job_as_the_listing()
    {
        var path = Path.Combine(_folder, "submitted.csv");
        await File.WriteAllTextAsync(path, HousesCsv(60));
        var submitted = await _host.SubmitFileAsync(path, new JobSpec { Training = new TrainingSettings { Shards = 2 } });
        await _host.Probe.WaitFor<DatasetPreprocessed>(submitted.JobId);
        Assert.Equal(0, await _host.ListOnceAsync());
        Assert.Single(_host.Probe.Events.OfType<JobSubmitted>());
    }

    [Fact]
    public async Task The_same_file_with_another_spec_is_a_new_job_and_with_the_same_spec_the_same_job()
    {
        var path = Path.Combine(_folder, "retrained.csv");
        await File.WriteAllTextAsync(path, HousesCsv(60));
        var spec = new JobSpec { Target = "price", Training = new TrainingSettings { Shards = 1 } };
        var first = await _host.SubmitFileAsync(path, spec);
        var again = await _host.SubmitFileAsync(path, spec with { SubmittedBy = "another user" });
        var otherSeed = await _host.SubmitFileAsync(path, spec with { Training = spec.Training with { Seed = 7 } });

        Assert.Equal(first.JobId, again.JobId);
        Assert.NotEqual(first.JobId, otherSeed.JobId);
        await _host.Probe.WaitFor<DatasetPreprocessed>(first.JobId);
        await _host.Probe.WaitFor<DatasetPreprocessed>(otherSeed.JobId);
        Assert.Equal(2, (await VersionsAsync()).Count);
    }

    [Fact]
    public async Task A_bad_file_is_rejected_with_its_reason_and_kept_while_other_jobs_go_on()
    {
        await _host.PutAsync("good.csv", HousesCsv(80));
        await _host.PutAsync("bad.csv", "a,b,c\n1,2,3\n4,5\n");
        Assert.Equal(2, await _host.ListOnceAsync());
        var bad = (await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "bad.csv"));
        var good = (await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "good.csv"));
        var rejected = await _host.Probe.WaitFor<DatasetRejected>(bad.JobId);
        Assert.Equal("bad.csv: line 3: the row has 2 fields but the header has 3 columns (a missing or extra ',', or an unclosed quote).", rejected.Reason);
        Assert.Equal("rejected/bad.csv", rejected.Source.Key);
        var kept = await _host.Store.StatAsync(_host.Options.Bucket, "rejected/bad.csv");
        Assert.Equal(rejected.Reason, kept!.Metadata["rejected-reason"]);
        Assert.Null(await _host.Store.StatAsync(_host.Options.Bucket, "bad.csv"));
        await _host.Probe.WaitFor<DatasetPreprocessed>(good.JobId);
        Assert.Equal(0, await _host.ListOnceAsync()); // the rejected prefix is not watched
    }

    [Fact]
    public async Task Settings_out_of_range_or_unreadable_reject_the_job_with_the_allowed_range()
    {
        await _host.PutAsync("zero.csv", HousesCsv(30), new Dictionary<string, string> { ["shards"] = "-3" });
        await _host.PutAsync("typo.csv", HousesCsv(30, 1), new Dictionary<string, string> { ["rounds"] = "ten" });
        await _host.ListOnceAsync();
        var zero = (await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "zero.csv")).JobId;
        var typo = (await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "typo.csv")).JobId;
        Assert.Equal("zero.csv: job settings out of range: shards = -3 is out of range; allowed 1..1024, or 0 for the automatic plan.", (await _host.Probe.WaitFor<DatasetRejected>(zero)).Reason);
        Assert.Equal("typo.csv: object metadata: rounds 'ten' is not a whole number.", (await _host.Probe.WaitFor<DatasetRejected>(typo)).Reason);
    }

    [Fact]
    public async Task The_same_content_under_two_names_is_one_registered_data_set()
    {
        await _host.PutAsync("a.csv", HousesCsv(40));
        await _host.PutAsync("copy-of-a.csv", HousesCsv(40));
        Assert.Equal(2, await _host.ListOnceAsync());
        var first = await _host.Probe.WaitFor<DatasetAccepted>((await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "a.csv")).JobId);
        var second = await _host.Probe.WaitFor<DatasetAccepted>((await _host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "copy-of-a.csv")).JobId);
        Assert.Equal(first.DatasetId, second.DatasetId);
        await using var db = await Databases().CreateDbContextAsync();
        Assert.Equal(1, await db.Datasets.CountAsync());
        var stored = new List<ArtifactInfo>();
        await foreach (var item in _host.Store.ListAsync(_host.Options.DatasetsBucket))
        {
            stored.Add(item);
        }

        // The content once, and the schema Ingest inferred from it once, beside it.
        Assert.Equal([$"{first.DatasetId}/data.csv", $"{first.DatasetId}/schema.json"], stored.Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    private IDbContextFactory<IngestDbContext> Databases() => _host.Services.GetRequiredService<IDbContextFactory<IngestDbContext>>();

    private async Task<List<ObjectVersionRecord>> VersionsAsync()
    {
        await using var db = await Databases().CreateDbContextAsync();
        var all = await db.ObjectVersions.AsNoTracking().ToListAsync();
        return all.OrderBy(v => v.CreatedAt).ToList();
    }
}
