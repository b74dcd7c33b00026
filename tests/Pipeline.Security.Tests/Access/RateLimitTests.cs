using System.Net;
using Pipeline.Testing.Embedded;
using static Pipeline.Security.Tests.Access.RolesTests;

namespace Pipeline.Security.Tests.Access;

/// <summary>ASP.NET Core rate limiting on submit and predict: over the limit, 429 with Retry-After.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Submits_over_the_limit_per_minute_get_429_with_retry_after()
    {
        await using var system = await EmbeddedSystem.StartAsync(settings: new Dictionary<string, string?> { ["Pipeline:Security:SubmitsPerMinute"] = "2" });
        using var http = new HttpClient { BaseAddress = new Uri(system.Url + "/") };
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 3; i++)
        {
            var response = await http.PostAsync($"api/jobs?name=rate-{i}.csv&target=y", Csv());
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        using (limited)
        {
            Assert.True(limited!.Headers.RetryAfter is not null, "no Retry-After");
            Assert.Contains("Too many requests", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Predictions_over_the_limit_per_second_get_429()
    {
        await using var system = await EmbeddedSystem.StartAsync(settings: new Dictionary<string, string?> { ["Pipeline:Security:PredictionsPerSecond"] = "3" });
        using var http = new HttpClient { BaseAddress = new Uri(system.Url + "/") };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await StatusAsync(http, "POST", "predict/no-such-model", Json("{\"a\": 1}")));
        }

        // The first three pass the limiter (and find no model); a burst of twelve cannot all pass in one second.
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound], statuses.Take(3));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }
}
