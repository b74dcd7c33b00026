using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Cli.Demo;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>
/// `submit`, `watch`, `status` and `cancel`, and the /api they talk to, against every service hosted in one process
/// in embedded mode (what `pipeline up` runs): a real job from upload to deployment.
/// </summary>
public sealed class JobVerbTests : IAsyncLifetime
{
    private EmbeddedSystem? _system;
    private string _url = "";

    private string Folder => _system!.Folder;

    public async Task InitializeAsync()
    {
        _system = await EmbeddedSystem.StartAsync();
        _url = _system.Url;
    }

    [Fact]
    public async Task A_submitted_file_is_watched_to_deployment_and_its_status_api_and_profile_tell_the_story()
    {
        var csv = Path.Combine(Folder, "flats.csv");
        HousePriceCsv.Write(csv, 3000, seed: 5);

        var (submit, submitOut, submitErr) = await Run("submit", csv, "--target", "price", "--workers", "2", "--rounds", "3", "--watch", "--json", "--url", _url);

        Assert.True(submit == ExitCodes.Ok, submitErr + submitOut);
        Assert.Contains("Deployed", submitErr, StringComparison.Ordinal);
        using var detail = JsonDocument.Parse(submitOut);
        var summary = detail.RootElement.GetProperty("summary");
        var jobId = summary.GetProperty("jobId").GetGuid();
        Assert.Equal("Deployed", summary.GetProperty("state").GetString());
        Assert.Equal(1.0, summary.GetProperty("progress").GetDouble());
        Assert.Equal(3, detail.RootElement.GetProperty("rounds").GetArrayLength());
        Assert.All(detail.RootElement.GetProperty("rounds").EnumerateArray(), r => Assert.Equal(2, r.GetProperty("shards").GetArrayLength()));
        Assert.Equal(2, detail.RootElement.GetProperty("shards").GetArrayLength());
        Assert.Equal("flats", detail.RootElement.GetProperty("model").GetProperty("name").GetString());

        var (status, list, _) = await Run("status", "--json", "--url", _url);
        Assert.Equal(ExitCodes.Ok, status);
        Assert.Contains(JsonDocument.Parse(list).RootElement.EnumerateArray(), j => j.GetProperty("jobId").GetGuid() == jobId);

        var (_, deployed, _) = await Run("status", "--state", "deployed", "--json", "--url", _url);
        Assert.Contains(JsonDocument.Parse(deployed).RootElement.EnumerateArray(), j => j.GetProperty("jobId").GetGuid() == jobId);
        var (_, failed, _) = await Run("status", "--state", "Failed", "--json", "--url", _url);
        Assert.DoesNotContain(JsonDocument.Parse(failed).RootElement.EnumerateArray(), j => j.GetProperty("jobId").GetGuid() == jobId);

        var (one, text, _) = await Run("status", jobId.ToString(), "--url", _url);
        Assert.Equal(ExitCodes.Ok, one);
        Assert.Contains("state      Deployed", text, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        using var profile = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{jobId}/profile"));
        Assert.Contains(profile.RootElement.GetProperty("columns").EnumerateArray(), c => c.GetProperty("decision").GetString() == "target");

        // A finished job cannot be cancelled: 409, exit code 1, and the reason on stderr.
        var (cancel, _, cancelErr) = await Run("cancel", jobId.ToString(), "--url", _url);
        Assert.Equal(ExitCodes.Failed, cancel);
        Assert.Contains("Deployed", cancelErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_job_is_cancelled_and_watch_exits_non_zero()
    {
        var csv = Path.Combine(Folder, "slow.csv");
        HousePriceCsv.Write(csv, 20_000, seed: 9);
        var (submit, submitOut, submitErr) = await Run("submit", csv, "--target", "price", "--rounds", "500", "--json", "--url", _url);
        Assert.True(submit == ExitCodes.Ok, submitErr);
        var jobId = JsonDocument.Parse(submitOut).RootElement.GetProperty("jobId").GetGuid();
        await WaitUntilKnown(jobId);

        var (cancel, _, cancelErr) = await Run("cancel", jobId.ToString(), "--reason", "test over", "--url", _url);
        Assert.True(cancel == ExitCodes.Ok, cancelErr);

        var (watch, watchOut, _) = await Run("watch", jobId.ToString(), "--url", _url);
        Assert.Equal(ExitCodes.Failed, watch);
        Assert.Contains("Cancelled", watchOut, StringComparison.Ordinal);
        Assert.Contains("test over", watchOut, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^training\s+(cancelled after \d+ of at most 500 rounds|no round ran)", watchOut);

        // The list does not show a cancelled job's share of its planned rounds as if it were progress.
        var (_, list, _) = await Run("status", "--url", _url);
        Assert.Matches($@"(?m)^{jobId}\s+Cancelled\s+\S+\s+\S+\s+-\s", list);
    }

    [Fact]
    public async Task The_api_answers_problems_for_unknown_jobs_and_bad_submissions()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        var missing = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/jobs/{missing}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/api/jobs/{missing}/cancel", null)).StatusCode);

        using var noName = await http.PostAsync("/api/jobs", Csv("a,b\n1,2\n"));
        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Contains("name", await noName.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var badNumber = await http.PostAsync("/api/jobs?name=x.csv&rounds=many", Csv("a,b\n1,2\n"));
        Assert.Equal(HttpStatusCode.BadRequest, badNumber.StatusCode);
        Assert.Contains("rounds", await badNumber.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The spec is checked at submit time with the same parser and bounds as object metadata: refused before upload.
        using var tooMany = await http.PostAsync("/api/jobs?name=x.csv&rounds=20000", Csv("a,b\n1,2\n"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("rounds = 20000 is out of range; allowed 1..10000", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badModel = await http.PostAsync("/api/jobs?name=x.csv&model=a%2Fb", Csv("a,b\n1,2\n"));
        Assert.Equal(HttpStatusCode.BadRequest, badModel.StatusCode);
        Assert.Contains("not a usable model name", await badModel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var typo = await http.PostAsync("/api/jobs?name=x.csv&round=5", Csv("a,b\n1,2\n"));
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        Assert.Contains("round: not a job setting", await typo.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var (usage, _, usageError) = await Run("submit", "x.csv", "--set", "rounds=20000", "--url", _url);
        Assert.Equal(ExitCodes.Usage, usage);
        Assert.Contains("rounds = 20000 is out of range", usageError, StringComparison.Ordinal);

        using var noObject = await http.PostAsJsonAsync("/api/jobs", new { key = "nothing-here.csv" });
        Assert.Equal(HttpStatusCode.NotFound, noObject.StatusCode);

        var (code, _, error) = await Run("submit", "nothing-here.csv", "--target", "y", "--url", _url);
        Assert.Equal(ExitCodes.NotFound, code);
        Assert.Contains("nothing-here.csv", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_pages_and_assets_are_served_from_the_assembly()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_url) };
        using var root = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/ui/jobs", root.Headers.Location?.OriginalString);
        foreach (var page in new[] { "/ui/jobs", $"/ui/jobs/{Guid.NewGuid()}", "/ui/models" })
        {
            var html = await http.GetStringAsync(page);
            Assert.Contains("/ui/assets/app.js", html, StringComparison.Ordinal);
        }

        // The page's scripts (helpers, chart, pages, router) are each served; the live stream lives in core.js.
        foreach (var script in new[] { "core", "chart", "jobs", "job", "models", "app" })
        {
            using var asset = await http.GetAsync($"/ui/assets/{script}.js");
            Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
            Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        }

        Assert.Contains("EventSource", await http.GetStringAsync("/ui/assets/core.js"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/ui/assets/secrets.txt")).StatusCode);
    }

    /// <summary>The job exists once Ingest recorded the upload and the saga started.</summary>
    private async Task WaitUntilKnown(Guid jobId)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while ((await http.GetAsync($"/api/jobs/{jobId}", timeout.Token)).StatusCode == HttpStatusCode.NotFound)
        {
            await tick.WaitForNextTickAsync(timeout.Token);
        }
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }

    // A file upload as the CLI sends it (the submit route refuses types a foreign page could send, e.g. text/plain).
    private static StringContent Csv(string text) => new(text, System.Text.Encoding.UTF8, "text/csv");
}
