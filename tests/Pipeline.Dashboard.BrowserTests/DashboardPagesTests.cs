using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Pipeline.Cli.Demo;

namespace Pipeline.Dashboard.BrowserTests;

/// <summary>
/// Each part of the dashboard in a real browser against the shared system (<see cref="DashboardSystem"/>): the loss
/// chart and its markers, settings and plan, a 1,800-round chart, sorting and comparing versions, the confirmation
/// before "Make production", a failed job's page, Retrain and submitting a file. Each state is kept as a full-page
/// screenshot under PIPELINE_TEST_ARTIFACTS.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class DashboardPagesTests(DashboardSystem system)
{
    private string Url => system.System.Url;

    [Fact]
    public async Task A_finished_job_shows_the_chart_with_best_round_and_log_toggle_its_plan_and_its_test_metrics_beside_the_baselines()
    {
        var (page, errors) = await system.NewPageAsync();
        var detail = await system.DetailAsync(system.RetrainedJob);
        await page.GotoAsync($"{Url}/ui/jobs/{system.RetrainedJob}");

        var chart = page.Locator("#loss-chart");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-scale", "linear");
        await Assertions.Expect(chart).ToContainTextAsync("round");
        await Assertions.Expect(chart).ToContainTextAsync("loss");
        await Assertions.Expect(page.Locator("#loss-chart circle.point-validation")).ToHaveCountAsync(detail.GetProperty("rounds").GetArrayLength());
        await Assertions.Expect(page.Locator("#best-marker")).ToHaveAttributeAsync("data-round", detail.GetProperty("bestRound").GetInt32().ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#best-point")).ToHaveCountAsync(1);
        // A regression's loss is on the standardised target: the baselines are not drawn on it, and the page says so.
        await Assertions.Expect(page.Locator("#levels-note")).ToBeVisibleAsync();

        // The timeline is folded (a long job's rounds must not push the chart down) and opens on a click.
        await Assertions.Expect(page.Locator("#timeline")).ToBeHiddenAsync();
        var chartTop = (await page.Locator("#chart-card").BoundingBoxAsync())!.Y;
        Assert.True(chartTop < 900, $"the chart starts {chartTop} px down");
        await page.Locator("#timeline-card summary").ClickAsync();
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("merged");

        // Settings: the plan (setting, value, automatic or given, why) and the other hyper-parameters.
        var plan = detail.GetProperty("spec").GetProperty("plan");
        await Assertions.Expect(page.Locator("#plan tbody tr")).ToHaveCountAsync(plan.GetArrayLength());
        await Assertions.Expect(page.Locator("#plan")).ToContainTextAsync("automatic");
        await Assertions.Expect(page.Locator("#hyper-parameters")).ToContainTextAsync("relu");
        await Assertions.Expect(page.Locator("#training-outcome")).ToContainTextAsync("rounds");

        // Test metrics: this model's, the baseline's and the trivial predictor's on each row.
        await Assertions.Expect(page.Locator("#test-metrics tr[data-metric='rmse'] td.num")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#test-metrics tr[data-metric='rmse'] td.num").Filter(new() { HasTextRegex = new Regex("^–$") })).ToHaveCountAsync(0);
        await system.ScreenshotAsync(page, "job-finished");

        // The log scale redraws the chart and survives the page's re-renders.
        await page.Locator("#log-scale").CheckAsync();
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-scale", "log");
        await Assertions.Expect(chart).ToContainTextAsync("log scale");
        await Assertions.Expect(page.Locator("#best-marker")).ToHaveCountAsync(1);
        await system.ScreenshotAsync(page, "job-finished-log-scale");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_chart_of_1800_rounds_is_one_decimated_line_with_the_early_stop_and_a_classifications_baseline_levels()
    {
        var (page, errors) = await system.NewPageAsync();
        const int rounds = 1800, best = 1780;
        // The real job's answer with a long classification history put in: what a job of 1,800 rounds answers.
        await page.RouteAsync($"**/api/jobs/{system.FirstJob}", async route =>
        {
            var response = await route.FetchAsync();
            var detail = JsonNode.Parse(await response.TextAsync())!;
            detail["summary"]!["round"] = rounds;
            detail["summary"]!["rounds"] = 2000;
            detail["bestRound"] = best;
            detail["spec"]!["task"] = "classification";
            detail["spec"]!["training"]!["patience"] = 20;
            detail["spec"]!["training"]!["localEpochs"] = 1;
            var history = new JsonArray();
            var timeline = new JsonArray { new JsonObject { ["stage"] = "submitted", ["at"] = "2026-12-01T10:00:00Z" } };
            for (var r = 1; r <= rounds; r++)
            {
                // A decaying loss with noise, so each pixel column holds a spread of values.
                var loss = 0.25 + (0.5 / Math.Sqrt(r)) + (0.01 * Math.Sin(r * 1.7));
                history.Add(new JsonObject
                {
                    ["round"] = r, ["trainLoss"] = loss * 0.9, ["validationLoss"] = loss,
                    ["validation"] = new JsonObject { ["logLoss"] = loss, ["accuracy"] = 0.8 },
                    ["mergedAt"] = "2026-12-01T10:00:00Z", ["shards"] = new JsonArray(),
                });
                timeline.Add(new JsonObject { ["stage"] = $"round {r} merged", ["at"] = "2026-12-01T10:00:00Z" });
            }

            detail["rounds"] = history;
            detail["timeline"] = timeline;
            detail["model"]!["baseline"] = new JsonObject { ["logLoss"] = 0.3, ["accuracy"] = 0.86 };
            detail["model"]!["trivial"] = new JsonObject { ["logLoss"] = 0.69, ["accuracy"] = 0.5 };
            await route.FulfillAsync(new() { Response = response, Body = detail.ToJsonString() });
        });
        await page.GotoAsync($"{Url}/ui/jobs/{system.FirstJob}");

        await Assertions.Expect(page.Locator("#stop-marker")).ToHaveAttributeAsync("data-round", "1800");
        await Assertions.Expect(page.Locator("#best-marker")).ToHaveAttributeAsync("data-round", "1780");
        await Assertions.Expect(page.Locator("#level-baseline")).ToHaveAttributeAsync("data-value", "0.3");
        await Assertions.Expect(page.Locator("#level-trivial")).ToHaveAttributeAsync("data-value", "0.69");
        await Assertions.Expect(page.Locator("#training-outcome")).ToContainTextAsync("stopped early after 1800 of at most 2000 rounds");
        // No markers at this size, and at most two points per pixel column of the plot (740 pixels wide, 741 columns
        // with both ends).
        await Assertions.Expect(page.Locator("#loss-chart circle.point-validation")).ToHaveCountAsync(0);
        var points = (await page.Locator("#loss-chart path.validation").GetAttributeAsync("d"))!.Count(c => c is 'M' or 'L');
        Assert.InRange(points, 100, 2 * 741);
        // The 1,800 merged rounds are one line of the folded timeline.
        await page.Locator("#timeline-card summary").ClickAsync();
        await Assertions.Expect(page.Locator("#timeline li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("rounds 1–1800 merged");
        await system.ScreenshotAsync(page, "job-1800-rounds");
        await page.Locator("#log-scale").CheckAsync();
        await Assertions.Expect(page.Locator("#loss-chart")).ToHaveAttributeAsync("data-scale", "log");
        await Assertions.Expect(page.Locator("#stop-marker")).ToHaveCountAsync(1);
        await system.ScreenshotAsync(page, "job-1800-rounds-log-scale");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Version_metrics_are_columns_that_sort_on_a_click()
    {
        var (page, errors) = await system.NewPageAsync();
        await page.GotoAsync($"{Url}/ui/models");
        var card = page.Locator($".model[data-model='{DashboardSystem.Model}']");
        await Assertions.Expect(card.Locator("tbody tr")).Not.ToHaveCountAsync(0);

        await card.Locator("th[data-sort='rmse']").ClickAsync();
        await Assertions.Expect(card.Locator("th[data-sort='rmse']")).ToHaveClassAsync(new Regex("asc"));
        var ascending = await RmseColumnAsync(card);
        Assert.True(ascending.Count >= 2, "two versions at least");
        Assert.Equal(ascending.Order().ToList(), ascending);

        await card.Locator("th[data-sort='rmse']").ClickAsync();
        await Assertions.Expect(card.Locator("th[data-sort='rmse']")).ToHaveClassAsync(new Regex("desc"));
        Assert.Equal(ascending.OrderDescending().ToList(), await RmseColumnAsync(card));
        await system.ScreenshotAsync(page, "models-sorted-by-rmse");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Each_version_links_its_model_onnx_card_and_transform_files_which_download_as_stored()
    {
        var (page, errors) = await system.NewPageAsync();
        await page.GotoAsync($"{Url}/ui/models");
        var version = (await system.DetailAsync(system.FirstJob)).GetProperty("model").GetProperty("version").GetInt32();
        var row = page.Locator($".model[data-model='{DashboardSystem.Model}'] tbody tr[data-version='{version}']");
        foreach (var kind in new[] { "model", "onnx", "card", "transform" })
        {
            var link = row.Locator($"a.download[data-artifact='{kind}']");
            await Assertions.Expect(link).ToHaveCountAsync(1);
            var href = await link.GetAttributeAsync("href");
            // Fetched with the page's own session, as a click would: the bytes are the ones whose hash the server states.
            var answer = await page.APIRequest.GetAsync($"{Url}{href}");
            Assert.Equal(200, answer.Status);
            var body = await answer.BodyAsync();
            Assert.NotEmpty(body);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)), answer.Headers["x-checksum-sha256"]);
        }

        await system.ScreenshotAsync(page, "models-downloads");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Two_ticked_versions_are_compared_side_by_side_with_their_settings()
    {
        var (page, errors) = await system.NewPageAsync();
        await page.GotoAsync($"{Url}/ui/models");
        var card = page.Locator($".model[data-model='{DashboardSystem.Model}']");
        await Assertions.Expect(card.Locator("button.compare")).ToBeDisabledAsync();
        // The two versions of the fixture's jobs (other tests may add versions; these two are known).
        foreach (var job in new[] { system.FirstJob, system.RetrainedJob })
        {
            var version = (await system.DetailAsync(job)).GetProperty("model").GetProperty("version").GetInt32();
            await card.Locator($"input.pick[data-version='{version}']").CheckAsync();
        }

        await card.Locator("button.compare").ClickAsync();

        var table = page.Locator($"#compare-{DashboardSystem.Model}");
        await Assertions.Expect(table.Locator("thead th.num")).ToHaveCountAsync(2);
        await Assertions.Expect(table.Locator("tr").Filter(new() { HasText = "rmse" }).First).ToBeVisibleAsync();
        // v1 ran 3 rounds, its retrain 10: the plan's rounds differ, and the row says so.
        await Assertions.Expect(table.Locator("tr.differs").Filter(new() { HasTextRegex = new Regex(@"rounds\s*3\s*10|rounds\s*10\s*3") })).ToHaveCountAsync(1);
        await system.ScreenshotAsync(page, "models-compare");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Make_production_asks_first_and_does_nothing_when_dismissed()
    {
        var (page, errors) = await system.NewPageAsync();
        var rollbacks = 0;
        page.Request += (_, request) => rollbacks += request.Method == "POST" && request.Url.EndsWith("/rollback", StringComparison.Ordinal) ? 1 : 0;
        await page.GotoAsync($"{Url}/ui/models");
        var card = page.Locator($".model[data-model='{DashboardSystem.Model}']");
        var button = card.Locator("button.rollback").First;
        var version = await button.GetAttributeAsync("data-version");
        var production = await card.Locator("h2").TextContentAsync();

        var asked = new List<string>();
        async void Dismiss(object? sender, IDialog dialog) { asked.Add(dialog.Message); await dialog.DismissAsync(); }
        page.Dialog += Dismiss;
        await button.ClickAsync();
        await Assertions.Expect(card.Locator("h2")).ToHaveTextAsync(production!);
        Assert.Single(asked);
        Assert.Contains($"Make {DashboardSystem.Model} v{version} the production model?", asked[0], StringComparison.Ordinal);
        Assert.Equal(0, rollbacks);
        await system.ScreenshotAsync(page, "models-before-make-production");
        page.Dialog -= Dismiss;

        async void Accept(object? sender, IDialog dialog) { asked.Add(dialog.Message); await dialog.AcceptAsync(); }
        page.Dialog += Accept;
        await button.ClickAsync();
        await Assertions.Expect(card.Locator("h2")).ToContainTextAsync($"production: v{version}");
        Assert.Equal(2, asked.Count);
        Assert.Equal(1, rollbacks);
        await system.ScreenshotAsync(page, "models-after-make-production");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_failed_job_shows_its_reason_and_no_placeholders_of_stages_it_never_reached()
    {
        var (page, errors) = await system.NewPageAsync();
        var job = await system.SubmitAsync("a,b\n1,2\n3,4\n"u8.ToArray(), "dash-failing.csv", "&target=nope");
        await system.WaitUntilFinishedAsync(job);
        await page.GotoAsync($"{Url}/ui/jobs/{job}");

        await Assertions.Expect(page.Locator("#job-state")).ToHaveTextAsync("Failed");
        await Assertions.Expect(page.Locator("#failure")).ToContainTextAsync("nope");
        await Assertions.Expect(page.Locator(".placeholder")).ToHaveCountAsync(0);
        foreach (var stale in new[] { "Not partitioned yet", "Available once preprocessing", "Not deployed yet", "fills in as rounds", "Cancel job" })
        {
            await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync(stale);
        }

        await Assertions.Expect(page.Locator("#retrain")).ToBeVisibleAsync();
        await system.ScreenshotAsync(page, "job-failed");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Retrain_starts_a_new_job_from_a_finished_one_and_opens_it()
    {
        var (page, errors) = await system.NewPageAsync();
        await page.GotoAsync($"{Url}/ui/jobs/{system.FirstJob}");
        await page.Locator("#retrain-settings").FillAsync("seed=7 rounds=2");
        await page.Locator("#retrain").ClickAsync();

        await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex($"/ui/jobs/{system.FirstJob}$"));
        var id = Guid.Parse(Regex.Match(page.Url, "/ui/jobs/([0-9a-f-]{36})$").Groups[1].Value);
        var detail = await system.WaitUntilFinishedAsync(id);
        Assert.Equal(system.FirstJob.ToString(), detail.GetProperty("spec").GetProperty("retrainOf").GetString());
        Assert.Equal(7, detail.GetProperty("spec").GetProperty("training").GetProperty("seed").GetInt32());
        await Assertions.Expect(page.Locator("#job-state .badge")).ToHaveTextAsync(new Regex("Deployed|Rejected"));
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("retrain of");
        await system.ScreenshotAsync(page, "job-retrained");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_file_submitted_from_the_jobs_page_starts_a_job_that_opens()
    {
        var (page, errors) = await system.NewPageAsync();
        var csv = Path.Combine(system.System.Folder, "dash-upload.csv");
        HousePriceCsv.Write(csv, 500, seed: 3);
        await page.GotoAsync($"{Url}/ui/jobs");
        await page.Locator("#submit-card summary").ClickAsync();
        await page.Locator("#submit-file").SetInputFilesAsync(csv);
        await page.Locator("#submit-target").FillAsync("price");
        await page.Locator("#submit-model").FillAsync("dash-upload");
        await page.Locator("#submit-settings").FillAsync("shards=1 rounds=2");
        await system.ScreenshotAsync(page, "jobs-submit-form");
        await page.Locator("#submit-button").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/ui/jobs/[0-9a-f-]{36}$"));
        var id = Guid.Parse(Regex.Match(page.Url, "/ui/jobs/([0-9a-f-]{36})$").Groups[1].Value);
        var detail = await system.WaitUntilFinishedAsync(id);
        Assert.Equal("dash-upload", detail.GetProperty("summary").GetProperty("modelName").GetString());
        Assert.EndsWith("dash-upload.csv", detail.GetProperty("summary").GetProperty("source").GetString(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#job-state .badge")).ToHaveTextAsync("Deployed");
        await system.ScreenshotAsync(page, "job-submitted-from-dashboard");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_headless_screenshot_with_a_virtual_time_budget_settles_although_the_page_listens_live()
    {
        // As a user would take one: `chromium --headless --virtual-time-budget=N --dump-dom|--screenshot URL`. Virtual
        // time runs only while no request is pending, and the budget must run out for the page to be printed; a live
        // stream opened while the page loaded held it for ever.
        var url = $"{Url}/ui/jobs/{system.FirstJob}";
        var dom = await HeadlessChromiumAsync("--dump-dom", url);
        Assert.Contains("id=\"loss-chart\"", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"plan\"", dom, StringComparison.Ordinal);
        var png = Path.Combine(system.Artifacts, "job-headless-virtual-time.png");
        File.Delete(png);
        await HeadlessChromiumAsync($"--screenshot={png}", url);
        Assert.True(new FileInfo(png).Length > 10_000, "the screenshot was written");
    }

    private static async Task<string> HeadlessChromiumAsync(string what, string url)
    {
        var start = new System.Diagnostics.ProcessStartInfo(SystemBrowser.ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--window-size=1280,1800", "--virtual-time-budget=3000", what, url },
        };
        using var chromium = System.Diagnostics.Process.Start(start)!;
        var output = chromium.StandardOutput.ReadToEndAsync();
        var errors = chromium.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await chromium.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            chromium.Kill(entireProcessTree: true);
            Assert.Fail($"chromium {what} did not finish within 60 s: the page never settled");
        }

        Assert.True(chromium.ExitCode == 0, $"chromium {what} exited {chromium.ExitCode}: {await errors}");
        return await output;
    }

    private static async Task<List<double>> RmseColumnAsync(ILocator card) =>
        (await card.Locator("tbody td[data-metric='rmse']").AllTextContentsAsync())
            .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
}
