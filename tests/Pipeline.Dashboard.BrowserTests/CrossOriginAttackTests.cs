using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Pipeline.Testing.Embedded;

namespace Pipeline.Dashboard.BrowserTests;

/// <summary>
/// The probe of issue #17: "A page on another origin, opened in Chromium, rolled a model back and submitted a job
/// that trained and deployed." A page served from another port of 127.0.0.1 (another origin, the same site)
/// tries every request a page can make without the server's consent, with authentication off (the default on
/// loopback) and with a signed-in dashboard session; none may change anything.
/// </summary>
public sealed class CrossOriginAttackTests
{
    private const string AdminToken = "browser-test-admin-token-0123456789abcdef";

    [Fact]
    public async Task A_foreign_page_cannot_submit_or_roll_back_when_authentication_is_off()
    {
        await using var system = await EmbeddedSystem.StartAsync();
        var statuses = await RunAttackAsync(system.Url, signInWith: null);
        await AssertNothingChangedAsync(system.Url, null, statuses);
    }

    [Fact]
    public async Task A_foreign_page_cannot_ride_a_signed_in_dashboard_session()
    {
        await using var system = await EmbeddedSystem.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Pipeline:Security:Authentication"] = "ApiKeys",
            ["Pipeline:Security:AdminToken"] = AdminToken,
        });
        var statuses = await RunAttackAsync(system.Url, signInWith: AdminToken);
        await AssertNothingChangedAsync(system.Url, AdminToken, statuses);
    }

    /// <summary>Opens the attacker's page (after signing in to the dashboard when asked) and returns the status of every request it got to the target.</summary>
    private static async Task<List<(string Method, string Url, int Status)>> RunAttackAsync(string target, string? signInWith)
    {
        await using var attacker = await AttackerSite.StartAsync(target);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await SystemBrowser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Location.Contains(target, StringComparison.Ordinal))
            {
                consoleErrors.Add(m.Text);
            }
        };

        if (signInWith is not null)
        {
            // A real sign-in through the login form; the dashboard then works (its requests carry the antiforgery token).
            await page.GotoAsync($"{target}/ui/jobs");
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/login"));
            await page.FillAsync("#token", signInWith);
            await page.ClickAsync("#sign-in");
            await Assertions.Expect(page.Locator("#user")).ToContainTextAsync("admin-token");
            await Assertions.Expect(page.Locator("#no-jobs")).ToBeVisibleAsync();
            Assert.Empty(consoleErrors);
        }

        var statuses = new List<(string, string, int)>();
        page.Response += (_, r) =>
        {
            if (r.Url.StartsWith(target, StringComparison.Ordinal))
            {
                lock (statuses)
                {
                    statuses.Add((r.Request.Method, r.Url, r.Status));
                }
            }
        };

        // The page fires its requests, then posts the form (a top-level navigation to the target).
        await page.GotoAsync(attacker.Url);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/rollback$"), new() { Timeout = 30_000 });
        await page.WaitForLoadStateAsync(LoadState.Load);
        lock (statuses)
        {
            return [.. statuses];
        }
    }

    private static async Task AssertNothingChangedAsync(string target, string? token, List<(string Method, string Url, int Status)> statuses)
    {
        // Every request that reached the target was refused; the rollback form's navigation among them.
        var described = string.Join("\n", statuses.Select(s => $"{s.Method} {s.Url} -> {s.Status}"));
        Assert.Contains(statuses, s => s.Method == "POST" && s.Url.EndsWith("/rollback", StringComparison.Ordinal) && s.Status == (int)HttpStatusCode.Forbidden);
        Assert.DoesNotContain(statuses, s => s.Method == "POST" && s.Status is >= 200 and < 300 or 404 or 409);

        // And nothing was created: the target has no job.
        using var http = new HttpClient { BaseAddress = new Uri(target + "/") };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var jobs = JsonDocument.Parse(await http.GetStringAsync("api/jobs"));
        Assert.True(jobs.RootElement.GetArrayLength() == 0, $"{jobs.RootElement}\n{described}");
    }

    /// <summary>The attacker's site: one page on another port of 127.0.0.1.</summary>
    private sealed class AttackerSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private AttackerSite(WebApplication app) => _app = app;

        public string Url => _app.Urls.First();

        public static async Task<AttackerSite> StartAsync(string target)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/", () => Results.Content(Page(target), "text/html"));
            await app.StartAsync();
            return new AttackerSite(app);
        }

        // Requests a page may send without asking the server (form posts, no-cors fetches with simple types, with
        // the browser's cookies), one it must ask for (JSON: a preflight), then a text/plain form that smuggles JSON.
        private static string Page(string target) => $$"""
            <!doctype html><html><body>
            <form id="f" method="post" enctype="text/plain" action="{{target}}/api/models/browser-houses/rollback"><input name='{"toVersion":1,"x":"' value='"}'></form>
            <script>
            const t = "{{target}}";
            const csv = "x,y\n1,2\n3,4\n";
            Promise.allSettled([
              fetch(t + "/api/jobs?name=csrf-text.csv&target=y", { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: csv }),
              fetch(t + "/api/jobs?name=csrf-form.csv&target=y", { method: "POST", mode: "no-cors", credentials: "include", body: new URLSearchParams({ a: "1" }) }),
              fetch(t + "/api/jobs?name=csrf-blob.csv&target=y", { method: "POST", mode: "no-cors", credentials: "include", body: new Blob([csv]) }),
              fetch(t + "/api/jobs?name=csrf-csv.csv&target=y", { method: "POST", credentials: "include", headers: { "content-type": "text/csv" }, body: csv }),
              fetch(t + "/api/jobs", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "x.csv" }) }),
              fetch(t + "/api/models/browser-houses/rollback", { method: "POST", mode: "no-cors", credentials: "include" }),
            ]).then(() => document.getElementById("f").submit());
            </script></body></html>
            """;

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
