using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Cli.Demo;
using Pipeline.Ingest;
using Pipeline.Ingest.Registry;
using Pipeline.Platform.Artifacts;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>
/// `pipeline retrain` against every service hosted in one process: a finished job's object trained again as a new
/// job, with its settings and the ones changed on top; submitting the same file again with another spec is a new job
/// too, and with the same spec the same job.
/// </summary>
public sealed class RetrainVerbTests : IAsyncLifetime
{
    private EmbeddedSystem? _system;

    private EmbeddedSystem System => _system!;

    public async Task InitializeAsync() => _system = await EmbeddedSystem.StartAsync();

    public async Task DisposeAsync() => await System.DisposeAsync();

    [Fact]
    public async Task A_retrain_is_a_new_job_on_the_same_object_with_the_old_settings_and_the_new_ones_on_top()
    {
        var csv = Path.Combine(System.Folder, "lofts.csv");
        HousePriceCsv.Write(csv, 800, seed: 5);
        var first = await Started("submit", csv, "--target", "price", "--rounds", "3", "--watch", "--json");
        var again = await Started("submit", csv, "--target", "price", "--rounds", "3", "--json");
        Assert.Equal(first, again);

        var retrained = await Started("retrain", first.ToString("N")[..8], "--set", "seed=7", "--watch", "--json");
        Assert.NotEqual(first, retrained);
        using var http = new HttpClient { BaseAddress = new Uri(System.Url) };
        using var old = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{first}"));
        using var job = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{retrained}"));
        var spec = job.RootElement.GetProperty("spec");
        Assert.Equal(first, spec.GetProperty("retrainOf").GetGuid());
        Assert.Equal(7, spec.GetProperty("training").GetProperty("seed").GetInt32());
        Assert.Equal(3, spec.GetProperty("training").GetProperty("rounds").GetInt32()); // given by the old job: kept
        Assert.Equal("price", spec.GetProperty("target").GetString());
        Assert.Equal(old.RootElement.GetProperty("summary").GetProperty("source").GetString(), job.RootElement.GetProperty("summary").GetProperty("source").GetString());

        // A setting out of its bounds is refused before anything starts; an unknown job is not found.
        var (refused, refusedErr) = await Failed("retrain", first.ToString(), "--set", "rounds=100000");
        Assert.Equal(ExitCodes.Failed, refused);
        Assert.Contains("rounds", refusedErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await Failed("retrain", Guid.NewGuid().ToString())).Code);

        // Another spec on the same file is another job.
        var otherModel = await Started("submit", csv, "--target", "price", "--rounds", "3", "--model", "lofts-b", "--json");
        Assert.NotEqual(first, otherModel);
    }

    [Fact]
    public async Task A_retrain_reads_the_object_where_the_old_job_read_it_even_after_the_ingest_bucket_changed()
    {
        var csv = Path.Combine(System.Folder, "moved.csv");
        HousePriceCsv.Write(csv, 600, seed: 8);
        var first = await Started("submit", csv, "--target", "price", "--rounds", "2", "--watch", "--json");

        // As after a change of Pipeline:Ingest:Bucket: the old job's object and record are in another bucket now,
        // and the ingest bucket no longer has it.
        var store = System.Services.GetRequiredService<IArtifactStore>();
        var ingest = System.Services.GetRequiredService<IOptions<IngestOptions>>().Value.Bucket;
        await store.EnsureBucketAsync("archive");
        await store.PutBytesAsync("archive", "moved.csv", await File.ReadAllBytesAsync(csv));
        await store.DeleteAsync(ingest, "moved.csv");
        await using (var db = await System.Services.GetRequiredService<IDbContextFactory<IngestDbContext>>().CreateDbContextAsync())
        {
            Assert.Equal(1, await db.ObjectVersions.Where(v => v.JobId == first).ExecuteUpdateAsync(u => u.SetProperty(v => v.Bucket, "archive")));
        }

        using var client = Client.PipelineClient.Create(new Uri(System.Url));
        var retrained = await client.RetrainAsync(first, new Dictionary<string, string> { ["seed"] = "9" });
        Assert.NotEqual(first, retrained.JobId);
        Assert.Equal("archive/moved.csv", retrained.Source);
    }

    private async Task<(int Code, string Err)> Failed(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommand.RunAsync([.. args, "--url", System.Url], output, error);
        return (code, error.ToString());
    }

    /// <summary>Runs a verb that starts a job and returns its id (from the final job view with --watch, else the answer).</summary>
    private async Task<Guid> Started(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommand.RunAsync([.. args, "--url", System.Url], output, error);
        Assert.True(code is ExitCodes.Ok or ExitCodes.Failed, $"{string.Join(' ', args)}: exit {code}: {error}");
        var root = JsonDocument.Parse(output.ToString()).RootElement;
        return (root.TryGetProperty("summary", out var summary) ? summary : root).GetProperty("jobId").GetGuid();
    }
}
