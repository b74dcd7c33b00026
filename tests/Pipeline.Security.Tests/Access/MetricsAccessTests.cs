using System.Net;

namespace Pipeline.Security.Tests.Access;

/// <summary>
/// <c>/metrics</c> tells how busy the system is and which models it serves: with API keys on it needs the reader
/// role like every other read, unless <c>Pipeline:Telemetry:AnonymousMetrics</c> opens it for a scraper the network
/// alone keeps out.
/// </summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task Metrics_need_a_reader_key_when_keys_are_on()
    {
        await using var system = await SecuredSystem.StartAsync();
        using var anonymous = system.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics")).StatusCode);

        using var predictor = system.With(await system.CreateKeyAsync("scorer", "predictor"));
        Assert.Equal(HttpStatusCode.Forbidden, (await predictor.GetAsync("metrics")).StatusCode);

        using var reader = system.With(await system.CreateKeyAsync("prometheus", "reader"));
        using var scrape = await reader.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("# TYPE ", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_setting_opens_metrics_to_an_anonymous_scraper_and_nothing_else()
    {
        await using var system = await SecuredSystem.StartAsync(new() { ["Pipeline:Telemetry:AnonymousMetrics"] = "true" });
        using var anonymous = system.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/jobs")).StatusCode);
    }
}
