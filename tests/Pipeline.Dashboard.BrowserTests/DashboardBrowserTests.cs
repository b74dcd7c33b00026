using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pipeline.Cli.Demo;
using Pipeline.Testing.Embedded;

namespace Pipeline.Dashboard.BrowserTests;

/// <summary>
/// Starts the whole system in one process (as `pipeline up` does, embedded mode), opens the dashboard in headless
/// chromium, submits a job, and watches the page follow it live to Deployed with a chart point for every round.
/// Screenshots are kept under <c>artifacts/</c> next to the test assembly (or PIPELINE_TEST_ARTIFACTS).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class DashboardBrowserTests(DashboardSystem fixture)
{
    private const int Rounds = 4;
    private readonly string _artifacts = fixture.Artifacts;
    private readonly EmbeddedSystem _system = fixture.System;
    private readonly string _url = fixture.System.Url;

    [Fact]
    public async Task The_job_page_follows_a_job_live_to_deployed_and_charts_every_round()
    {
        var page = await fixture.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1100 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };

        // The jobs list is open before the job exists: the row must arrive by the page's live updates, not a reload.
        await page.GotoAsync($"{_url}/ui/jobs");
        await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("live");
        var jobId = await SubmitAsync();
        var row = page.Locator($"tr[data-job='{jobId}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 60_000 });

        // Open the job from the list, then watch the same page (no reload) reach Deployed.
        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/ui/jobs/{jobId}$"));
        await Assertions.Expect(page.Locator("#job-state")).ToHaveTextAsync("Deployed", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#loss-chart circle.point-validation")).ToHaveCountAsync(Rounds);
        await Assertions.Expect(page.Locator("#loss-chart circle.point-shard")).ToHaveCountAsync(Rounds * 2);
        await Assertions.Expect(page.Locator("#shards tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#profile")).ToContainTextAsync("price");
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("deployed");
        // The plan (the job gave shards and rounds; the rest was chosen, with reasons) and the figures to compare.
        using (var http = new HttpClient { BaseAddress = new Uri(_url) })
        using (var job = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{jobId}")))
        {
            // One row per setting the job's resolved spec explains.
            await Assertions.Expect(page.Locator("#plan tbody tr")).ToHaveCountAsync(job.RootElement.GetProperty("spec").GetProperty("plan").GetArrayLength());
        }

        await Assertions.Expect(page.Locator("#plan")).ToContainTextAsync("given by the job");
        await Assertions.Expect(page.Locator("#plan")).ToContainTextAsync("updates per pass");
        await Assertions.Expect(page.Locator("#test-metrics tr[data-metric='rmse'] td.num")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#test-metrics")).ToContainTextAsync("training mean");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_artifacts, "dashboard-job.png"), FullPage = true });

        // The models page lists the new version as production.
        await page.GotoAsync($"{_url}/ui/models");
        var model = page.Locator(".model[data-model='browser-houses']");
        await Assertions.Expect(model).ToContainTextAsync("production: v1");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_artifacts, "dashboard-models.png"), FullPage = true });

        Assert.Empty(consoleErrors);
    }

    private async Task<Guid> SubmitAsync()
    {
        var csv = Path.Combine(_system.Folder, "browser-houses.csv");
        HousePriceCsv.Write(csv, 3000, seed: 11);
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        await using var file = File.OpenRead(csv);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new("text/csv");
        using var response = await http.PostAsync($"/api/jobs?name=browser-houses.csv&target=price&shards=2&rounds={Rounds}", content);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<Submitted>();
        return answer!.JobId;
    }

    private sealed record Submitted(Guid JobId, string Source);
}
