using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Ingest.Registry;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Shards;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Ingest.IntegrationTests;

/// <summary>Ingest and Preprocess through RabbitMQ, PostgreSQL and the S3 endpoint of the local stack.</summary>
public sealed class IngestFlowTests
{
    private static string Csv(int rows) =>
        "sqft,rooms,city,built,price\r\n" + string.Concat(Enumerable.Range(0, rows).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $"{400 + ((i * 53) % 1700)},{1 + (i % 5)},{(i % 4 == 0 ? "\"Nice, FR\"" : i % 4 == 1 ? "Lyon" : "Paris")},{new DateTime(1950, 1, 1).AddDays(i * 17):yyyy-MM-dd},{(i % 13 == 0 ? string.Empty : ((1000 * i) + 0.25).ToString(CultureInfo.InvariantCulture))}\r\n")));

    [Fact]
    public async Task A_file_dropped_in_the_bucket_becomes_K_shards_and_the_transform_reproduces_the_validation_rows()
    {
        await using var stack = await IngestStack.CreateAsync(TimeSpan.FromMilliseconds(300));
        var host = await stack.StartAsync();
        var csv = Csv(600);
        await host.PutAsync("houses.csv", csv, new Dictionary<string, string> { ["shards"] = "4", ["model"] = "houses" });

        var submitted = await host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "houses.csv");
        var done = await host.Probe.WaitFor<DatasetPreprocessed>(submitted.JobId, TimeSpan.FromSeconds(40));
        Assert.Equal(4, done.Shards.Count);
        Assert.Equal(TaskKind.Regression, done.Task);

        long trainRows = 0;
        foreach (var shard in done.Shards)
        {
            var data = await ReadShard(host.Store, shard.Data);
            Assert.Equal(shard.Rows, data.Rows);
            trainRows += data.Rows;
        }

        var validation = await ReadShard(host.Store, done.Validation);
        var test = await ReadShard(host.Store, done.Test);
        var withTarget = 600 - Enumerable.Range(0, 600).Count(i => i % 13 == 0);
        Assert.Equal(withTarget, trainRows + validation.Rows + test.Rows);

        // Serving's view: the raw rows through the saved transform give exactly the validation features.
        var transform = FittedTransform.FromJson(Encoding.UTF8.GetString(await host.Store.ReadAllBytesAsync(done.Transform.Bucket, done.Transform.Key)));
        Assert.Equal(done.Features, transform.FeatureCount);
        var expected = new Dictionary<float, float[]>();
        for (var r = 0; r < validation.Rows; r++)
        {
            expected[validation.Targets[r]] = validation.Features.AsSpan(r * validation.FeatureCount, validation.FeatureCount).ToArray();
        }

        using var source = CsvSource.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "houses.csv", new CsvLimits());
        var matched = 0;
        while (source.MoveNext())
        {
            var row = new Dictionary<string, string?>();
            for (var i = 0; i < source.Columns.Count; i++)
            {
                row[source.Columns[i]] = source.Current[i].ToString();
            }

            if (transform.EncodeTarget(row["price"]) is { } y && expected.TryGetValue(y, out var features))
            {
                Assert.Equal(features, transform.Apply(row));
                matched++;
            }
        }

        Assert.Equal(validation.Rows, matched);
    }

    [Fact]
    public async Task MinIO_notifications_duplicates_and_the_listing_make_one_job()
    {
        await using var stack = await IngestStack.CreateAsync(TimeSpan.Zero);
        var host = await stack.StartAsync();
        await host.PutAsync("notified.csv", Csv(120));
        var info = await host.Store.StatAsync(host.Options.Bucket, "notified.csv");

        await stack.PublishMinioEventAsync(host.Options.Bucket, "notified.csv", info!.ETag!.Trim('"'), info.Size);
        await stack.PublishMinioEventAsync(host.Options.Bucket, "notified.csv", info.ETag!.Trim('"'), info.Size);
        var submitted = await host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "notified.csv");
        Assert.Equal(0, await host.ListOnceAsync());
        await host.Probe.WaitFor<DatasetPreprocessed>(submitted.JobId, TimeSpan.FromSeconds(40));
        await Task.Delay(500);

        Assert.Single(host.Probe.Events.OfType<JobSubmitted>());
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<IngestDbContext>>().CreateDbContextAsync();
        var version = await db.ObjectVersions.SingleAsync();
        Assert.Equal("minio", version.Trigger);
        Assert.Equal(submitted.JobId, version.JobId);
    }

    [Fact]
    public async Task A_bad_file_is_rejected_with_file_line_and_column_and_kept_under_the_rejected_prefix()
    {
        await using var stack = await IngestStack.CreateAsync(TimeSpan.FromMilliseconds(300));
        var host = await stack.StartAsync();
        var rows = string.Concat(Enumerable.Range(0, 50).Select(i => i == 30 ? "12,lots,3\n" : i == 31 ? "13,many,4\n" : $"{i},{i * 2},{i % 3}\n"));
        await host.PutAsync("bad.csv", "a,b,y\n" + rows);

        var submitted = await host.Probe.WaitForAny<JobSubmitted>(j => j.Source.Key == "bad.csv");
        var rejected = await host.Probe.WaitFor<DatasetRejected>(submitted.JobId);
        Assert.Equal(
            "bad.csv: line 32, column 'b': 'lots' is not a number, in a numeric column where 2 of 50 values are not numbers (4%), more than the tolerance of 1% (setting Pipeline:Ingest:NonNumericTolerance). Fix or blank these values.",
            rejected.Reason);
        var kept = await host.Store.StatAsync(host.Options.Bucket, "rejected/bad.csv");
        Assert.NotNull(kept);
        Assert.Null(await host.Store.StatAsync(host.Options.Bucket, "bad.csv"));
    }

    private static async Task<ShardData> ReadShard(IArtifactStore store, ObjectRef reference)
    {
        var stream = await store.OpenVerifiedReadAsync(reference);
        await using (stream)
        {
            return await ShardFile.ReadAsync(stream);
        }
    }
}
