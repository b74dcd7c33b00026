using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Security.Tests.Access;

/// <summary>
/// With API keys on, every route answers only the roles the issue names: reader (read), submitter (submit, cancel
/// its own), predictor (/predict only), admin (everything). Probe: "Anonymous clients submit jobs, cancel them
/// with any reason, roll models back, read everything."
/// </summary>
public sealed class RolesTests
{
    [Fact]
    public async Task Anonymous_and_wrong_keys_get_401_on_every_route_but_health()
    {
        await using var system = await SecuredSystem.StartAsync();
        using var anonymous = system.Anonymous();
        foreach (var (method, path) in new[]
        {
            ("GET", "api/jobs"), ("GET", $"api/jobs/{Guid.NewGuid()}"), ("POST", $"api/jobs/{Guid.NewGuid()}/cancel"), ("GET", "api/events"),
            ("POST", "api/jobs?name=a.csv"), ("GET", "api/models"), ("POST", "api/models/m/rollback"), ("POST", "predict/m"),
            ("GET", "models"), ("GET", "api/keys"),
        })
        {
            using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} /{path}: {(int)response.StatusCode}");
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var wrong = system.With("pk_" + Guid.NewGuid().ToString("N") + "_" + new string('x', 43));
        using (var response = await wrong.GetAsync("api/jobs"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("not valid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var live = await anonymous.GetAsync("health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        // The dashboard's pages send a browser to the login page.
        using var browserLike = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(system.Url + "/") };
        using var page = await browserLike.GetAsync("ui/jobs");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/ui/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_role_reaches_its_routes_and_is_refused_the_others()
    {
        await using var system = await SecuredSystem.StartAsync();
        using var reader = system.With(await system.CreateKeyAsync("rita", "reader"));
        using var predictor = system.With(await system.CreateKeyAsync("pred-svc", "predictor"));
        using var alice = system.With(await system.CreateKeyAsync("alice", "submitter"));
        using var bob = system.With(await system.CreateKeyAsync("bob", "submitter"));
        using var admin = system.Admin();

        // Reader: reads, and nothing else.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(reader, "GET", "api/jobs"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(reader, "GET", "api/models"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "POST", "api/jobs?name=r.csv&target=y", Csv()));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "POST", "api/models/m/rollback", Json("{}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "POST", "predict/m", Json("{}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, "GET", "api/keys"));

        // Predictor: /predict only (an unknown model is a 404 from the route itself: the caller got through).
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(predictor, "POST", "predict/no-such-model", Json("{\"a\": 1}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(predictor, "GET", "api/jobs"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(predictor, "GET", "api/models"));

        // Submitter: submits; the job records who; it may cancel its own job and not another's.
        var job = await SubmitAsync(alice, "alice-job.csv");
        using (var json = await JobAsync(reader, job))
        {
            Assert.Equal("alice", json.RootElement.GetProperty("spec").GetProperty("submittedBy").GetString());
        }

        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(bob, "POST", $"api/jobs/{job}/cancel"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(alice, "POST", "api/models/m/rollback", Json("{}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(alice, "GET", "api/keys"));
        Assert.Contains(await StatusAsync(alice, "POST", $"api/jobs/{job}/cancel"), new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict });

        // Admin: cancels anyone's job, rolls back (unknown model: refused by the registry, not by authorization).
        var bobsJob = await SubmitAsync(bob, "bob-job.csv");
        (await JobAsync(admin, bobsJob)).Dispose();
        Assert.Contains(await StatusAsync(admin, "POST", $"api/jobs/{bobsJob}/cancel"), new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict });
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(admin, "POST", "api/models/no-such-model/rollback", Json("{}")));
    }

    [Fact]
    public async Task Keys_are_shown_once_stored_hashed_and_stop_working_when_revoked()
    {
        await using var system = await SecuredSystem.StartAsync();
        var token = await system.CreateKeyAsync("ci", "reader");
        Assert.Matches("^pk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$", token);
        using var ci = system.With(token);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(ci, "GET", "api/jobs"));

        using var admin = system.Admin();
        var list = await admin.GetStringAsync("api/keys");
        Assert.Contains("\"ci\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain(token[^43..], list, StringComparison.Ordinal);

        // The database holds the hash, never the secret.
        var database = await File.ReadAllBytesAsync(Path.Combine(system.System.Folder, "pipeline.db"));
        Assert.Equal(-1, Encoding.UTF8.GetString(database).IndexOf(token[^43..], StringComparison.Ordinal));

        // A second key with the same name is refused; so are unknown roles and odd names.
        Assert.Equal(HttpStatusCode.Conflict, await StatusAsync(admin, "POST", "api/keys", Json("{\"name\":\"ci\",\"role\":\"reader\"}")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(admin, "POST", "api/keys", Json("{\"name\":\"x\",\"role\":\"root\"}")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(admin, "POST", "api/keys", Json("{\"name\":\"a\\nb\",\"role\":\"reader\"}")));

        using (var revoke = await admin.DeleteAsync("api/keys/ci"))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(ci, "GET", "api/jobs"));
    }

    /// <summary>The job's view once the orchestrator has it (submitting is asynchronous).</summary>
    private static async Task<JsonDocument> JobAsync(HttpClient client, Guid job)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            using var response = await client.GetAsync($"api/jobs/{job}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            }

            Assert.True(response.StatusCode == HttpStatusCode.NotFound && DateTime.UtcNow < deadline, $"job {job}: {(int)response.StatusCode}");
            await tick.WaitForNextTickAsync();
        }
    }

    private static async Task<Guid> SubmitAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsync($"api/jobs?name={name}&target=y", Csv());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("jobId").GetGuid();
    }

    internal static async Task<HttpStatusCode> StatusAsync(HttpClient client, string method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = content };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    // Enough rows for the job to run through validation; its content does not matter here.
    internal static StringContent Csv()
    {
        var text = new StringBuilder("x,y\n");
        for (var i = 0; i < 200; i++)
        {
            text.Append(i).Append(',').Append(i * 2 + 1).Append('\n');
        }

        return new StringContent(text.ToString(), Encoding.UTF8, "text/csv");
    }
}
