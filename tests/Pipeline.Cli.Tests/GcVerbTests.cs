using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Cli.Demo;
using Pipeline.Platform.Artifacts;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Issue #18, item 5, end to end in embedded mode: a real job, then `pipeline gc`. A dry run deletes nothing; gc
/// deletes the round outputs but the best model, the model still serves and redeploy still works; an orphan is
/// reported and goes only with --delete-orphans.
/// </summary>
public sealed class GcVerbTests : IAsyncLifetime
{
    private EmbeddedSystem? _system;

    private EmbeddedSystem System => _system!;

    private IArtifactStore Store => System.Services.GetRequiredService<IArtifactStore>();

    // No grace, so a job that just finished is swept at once.
    public async Task InitializeAsync() => _system = await EmbeddedSystem.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Pipeline:Retention:FinishedJobGrace"] = "00:00:00",
        ["Pipeline:Retention:FailedJobGrace"] = "00:00:00",
        ["Pipeline:Retention:OrphanGrace"] = "00:00:00",
    });

    public async Task DisposeAsync() => await System.DisposeAsync();

    [Fact]
    public async Task Gc_deletes_the_round_outputs_of_a_deployed_job_but_its_best_model_and_it_still_serves_and_redeploys()
    {
        var csv = Path.Combine(System.Folder, "flats.csv");
        HousePriceCsv.Write(csv, 1500, seed: 3);
        var (submit, submitOut, submitErr) = await Run("submit", csv, "--target", "price", "--rounds", "3", "--set", "force-deploy=true", "--watch", "--json");
        Assert.True(submit == ExitCodes.Ok, submitErr);
        using var submitted = JsonDocument.Parse(submitOut);
        var jobId = submitted.RootElement.GetProperty("summary").GetProperty("jobId").GetGuid();
        var version = submitted.RootElement.GetProperty("summary").GetProperty("deployedVersion").GetInt32();
        var bestRound = submitted.RootElement.GetProperty("bestRound").GetInt32();
        var best = JobArtifactKeys.MergedModel(jobId, bestRound);

        // An orphan: a job prefix the saga does not know, and a registry folder no version owns.
        var orphan = JobArtifactKeys.MergedModel(Guid.NewGuid(), 1);
        await Store.PutBytesAsync(JobArtifactKeys.Bucket, orphan, new byte[321]);
        await Store.PutBytesAsync("models", "flats/99/model.pnnm", new byte[123]);

        var before = await ListAsync(JobArtifactKeys.Bucket, JobArtifactKeys.Job(jobId));
        Assert.True(before.Count(k => k.Key.Contains("/rounds/", StringComparison.Ordinal)) > 1, "the job stored round outputs");

        // Dry run: reports what would go, with sizes, and deletes nothing.
        var (dry, dryOut, dryErr) = await Run("gc", "--dry-run", "--json");
        Assert.True(dry == ExitCodes.Ok, dryErr);
        using (var report = JsonDocument.Parse(dryOut))
        {
            var jobs = report.RootElement.GetProperty("jobs");
            Assert.True(jobs.GetProperty("dryRun").GetBoolean());
            Assert.Equal(before.Count(k => k.Key.Contains("/rounds/", StringComparison.Ordinal)) - 1, jobs.GetProperty("deletedObjects").GetInt32());
            Assert.Equal(before.Where(k => k.Key.Contains("/rounds/", StringComparison.Ordinal) && k.Key != best).Sum(k => k.Size), jobs.GetProperty("deletedBytes").GetInt64());
            Assert.Equal(1, jobs.GetProperty("orphanObjects").GetInt32());
            Assert.Equal(321, jobs.GetProperty("orphanBytes").GetInt64());
            var registry = report.RootElement.GetProperty("registry");
            Assert.Equal("flats/99/", registry.GetProperty("orphans")[0].GetProperty("prefix").GetString());
            Assert.Empty(registry.GetProperty("missingArtifacts").EnumerateArray());
        }

        Assert.Equal(before.Select(k => k.Key), (await ListAsync(JobArtifactKeys.Bucket, JobArtifactKeys.Job(jobId))).Select(k => k.Key));

        // The sweep: only the prepared data and the best model are left of the job; the orphan stays (not asked).
        var (gc, gcOut, gcErr) = await Run("gc");
        Assert.True(gc == ExitCodes.Ok, gcErr);
        Assert.Contains("jobs bucket 'jobs': deleted", gcOut, StringComparison.Ordinal);
        var after = (await ListAsync(JobArtifactKeys.Bucket, JobArtifactKeys.Job(jobId))).Select(k => k.Key).ToList();
        Assert.Equal(before.Select(k => k.Key).Where(k => k.Contains("/prep/", StringComparison.Ordinal)).Append(best).Order(StringComparer.Ordinal), after);
        Assert.NotNull(await Store.StatAsync(JobArtifactKeys.Bucket, orphan));

        // The model still serves, and a redeploy from the kept best model ends with the same version.
        var rows = Path.Combine(System.Folder, "rows.csv");
        HousePriceCsv.Write(rows, 3, seed: 9);
        var (predict, _, predictErr) = await Run("predict", "flats", "--csv", rows);
        Assert.True(predict == ExitCodes.Ok, predictErr);
        var redeployedAfter = (await JobAsync(jobId)).GetProperty("updatedAt").GetDateTimeOffset();
        var (redeploy, _, redeployErr) = await Run("redeploy", jobId.ToString());
        Assert.True(redeploy == ExitCodes.Ok, redeployErr);
        var redeployed = await FinishedAfterAsync(jobId, redeployedAfter);
        Assert.Equal("Deployed", redeployed.GetProperty("state").GetString());
        Assert.Equal(version, redeployed.GetProperty("deployedVersion").GetInt32());

        // Orphans go when asked (the grace is zero here).
        var (orphans, _, orphansErr) = await Run("gc", "--delete-orphans");
        Assert.True(orphans == ExitCodes.Ok, orphansErr);
        Assert.Null(await Store.StatAsync(JobArtifactKeys.Bucket, orphan));
        Assert.Null(await Store.StatAsync("models", "flats/99/model.pnnm"));
        Assert.NotNull(await Store.StatAsync("models", $"flats/{version}/model.pnnm"));
    }

    private async Task<JsonElement> JobAsync(Guid jobId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(System.Url) };
        using var job = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{jobId}"));
        return job.RootElement.GetProperty("summary").Clone();
    }

    /// <summary>The job's summary once it has finished again after <paramref name="after"/> (polling with a deadline).</summary>
    private async Task<JsonElement> FinishedAfterAsync(Guid jobId, DateTimeOffset after)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var summary = await JobAsync(jobId);
            if (summary.GetProperty("finished").GetBoolean() && summary.GetProperty("updatedAt").GetDateTimeOffset() > after)
            {
                return summary;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish its redeploy in 3 minutes");
            await Task.Delay(200);
        }
    }

    private async Task<List<ArtifactInfo>> ListAsync(string bucket, string prefix)
    {
        var list = new List<ArtifactInfo>();
        await foreach (var item in Store.ListAsync(bucket, prefix))
        {
            list.Add(item);
        }

        return list;
    }

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommand.RunAsync([.. args, "--url", System.Url], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
