using Microsoft.Playwright;

namespace Pipeline.Dashboard.BrowserTests;

/// <summary>
/// Debian's chromium, launched headless by Playwright (which brings its own driver but no browser). The path can
/// be overridden with PIPELINE_CHROMIUM; the test fails, rather than skips, when no browser is installed.
/// </summary>
internal static class SystemBrowser
{
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("PIPELINE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/lib/chromium/chromium";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"No chromium at {ExecutablePath}: `apt-get install -y --no-install-recommends chromium` (test.sh does), or set PIPELINE_CHROMIUM.");
        }

        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }
}
