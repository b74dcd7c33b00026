using System.Text.Json;
using Pipeline.Cli.Demo;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>`pipeline redeploy` against every service hosted in one process: a finished job is deployed again without retraining.</summary>
public sealed class RedeployVerbTests : IAsyncLifetime
{
    private EmbeddedSystem? _system;

    private EmbeddedSystem System => _system!;

    public async Task InitializeAsync() => _system = await EmbeddedSystem.StartAsync();

    public async Task DisposeAsync() => await System.DisposeAsync();

    [Fact]
    public async Task A_finished_job_is_redeployed_and_ends_with_the_same_version_while_unknown_or_running_jobs_are_refused()
    {
        var csv = Path.Combine(System.Folder, "flats.csv");
        HousePriceCsv.Write(csv, 1500, seed: 3);
        var (submit, submitOut, submitErr) = await Run("submit", csv, "--target", "price", "--rounds", "2", "--watch", "--json");
        Assert.True(submit is ExitCodes.Ok or ExitCodes.Failed, submitErr);
        var jobId = JsonDocument.Parse(submitOut).RootElement.GetProperty("summary").GetProperty("jobId").GetGuid();
        var before = await FinishedVersion(jobId);

        var (redeploy, redeployOut, redeployErr) = await Run("redeploy", jobId.ToString());
        Assert.True(redeploy == ExitCodes.Ok, redeployErr);
        Assert.Contains("redeploying model flats", redeployOut, StringComparison.Ordinal);
        await Run("watch", jobId.ToString());
        Assert.Equal(before, await FinishedVersion(jobId));

        var (unknown, _, unknownErr) = await Run("redeploy", Guid.NewGuid().ToString());
        Assert.Equal(ExitCodes.NotFound, unknown);
        Assert.Contains("no job", unknownErr, StringComparison.Ordinal);
    }

    /// <summary>The job's state and deployed version once it has finished (polling with a deadline).</summary>
    private async Task<(string State, int? Version)> FinishedVersion(Guid jobId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(System.Url) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            using var job = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{jobId}"));
            var summary = job.RootElement.GetProperty("summary");
            if (summary.GetProperty("finished").GetBoolean())
            {
                var version = summary.TryGetProperty("deployedVersion", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : (int?)null;
                return (summary.GetProperty("state").GetString()!, version);
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not finish in 3 minutes");
            await Task.Delay(200);
        }
    }

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommand.RunAsync([.. args, "--url", System.Url], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
