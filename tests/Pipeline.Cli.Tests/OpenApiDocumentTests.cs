using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>
/// Issue #20, item 1: the OpenAPI document generated from the code lists every API route the host maps, with the
/// problem answers each route can give (from its own security metadata).
/// </summary>
public sealed partial class OpenApiDocumentTests
{
    [Fact]
    public async Task The_document_lists_every_api_route_with_its_problem_answers()
    {
        await using var system = await EmbeddedSystem.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(system.Url) };
        using var response = await http.GetAsync("/openapi/v1.json");
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths");

        // Every route handler the host maps (not the pages, which are excluded, nor health checks, which are not
        // route handlers), by path and method.
        var routes = system.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null && e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/openapi", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => (Path: Normalise(e.RoutePattern.RawText!), Method: m.ToLowerInvariant(), Endpoint: e)))
            .ToList();
        Assert.Contains(routes, r => r.Path == "/predict/{model}");
        Assert.Contains(routes, r => r.Path == "/api/jobs" && r.Method == "post");

        foreach (var (path, method, endpoint) in routes)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{method} {path} is not in the document");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is not in the document");
            var answers = operation.GetProperty("responses");
            if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is null)
            {
                Assert.True(answers.TryGetProperty("401", out _) && answers.TryGetProperty("403", out _), $"{method} {path}: no 401/403");
            }

            if (endpoint.Metadata.GetMetadata<Platform.Security.DeclaredContentTypes>() is not null)
            {
                Assert.True(answers.TryGetProperty("415", out var unsupported), $"{method} {path}: no 415");
                Assert.True(unsupported.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path}: 415 is not a problem");
            }
        }

        Assert.True(paths.GetProperty("/predict/{model}").GetProperty("post").GetProperty("responses").TryGetProperty("429", out _), "predict: no 429");

        // Issue #20 items 2 and 5: the inference protocol's infer answers its own errors, 413 and the rate limit's
        // 429; the artifact downloads their 304 and 404 problem.
        foreach (var infer in new[] { "/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer" })
        {
            var answers = paths.GetProperty(infer).GetProperty("post").GetProperty("responses");
            Assert.All(new[] { "200", "400", "404", "413", "429" }, status => Assert.True(answers.TryGetProperty(status, out _), $"{infer}: no {status}"));
        }

        Assert.True(paths.TryGetProperty("/v2/health/ready", out _), "no /v2/health/ready");
        var download = paths.GetProperty("/models/{name}/versions/{version}/artifacts/{artifact}").GetProperty("get").GetProperty("responses");
        Assert.True(download.TryGetProperty("304", out _), "artifacts: no 304");
        Assert.True(download.GetProperty("404").GetProperty("content").TryGetProperty("application/problem+json", out _), "artifacts: 404 is not a problem");
        Assert.False(paths.TryGetProperty("/ui/jobs", out _), "dashboard pages are not API");
    }

    [Fact]
    public async Task Every_request_example_in_the_document_works_against_a_system_serving_the_model_it_names()
    {
        await using var system = await EmbeddedSystem.StartAsync();
        using var client = Client.PipelineClient.Create(new Uri(system.Url));

        // The examples are written for the demo's house-price model, `houses`, trained from `houses.csv`.
        var csv = Path.Combine(system.Folder, "houses.csv");
        Demo.HousePriceCsv.Write(csv, 2000, seed: 3);
        Contracts.Api.JobAccepted job;
        await using (var file = File.OpenRead(csv))
        {
            job = await client.SubmitFileAsync(file, "houses.csv", [new("target", "price"), new("model", "houses"), new("rounds", "5")]);
        }

        Contracts.Api.JobDetail? final = null;
        await foreach (var change in client.WatchAsync(job.JobId, notFoundGrace: TimeSpan.FromSeconds(60), poll: TimeSpan.FromMilliseconds(500)))
        {
            final = change;
        }

        Assert.Equal("Deployed", final!.Summary.State);

        using var http = new HttpClient { BaseAddress = new Uri(system.Url) };
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var sent = new List<string>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (!operation.Value.TryGetProperty("requestBody", out var body)
                    || !body.GetProperty("content").TryGetProperty("application/json", out var json)
                    || !json.TryGetProperty("example", out var example))
                {
                    continue;
                }

                var url = PathParameter().Replace(path.Name, m => m.Groups[1].Value == "id" ? job.JobId.ToString() : ExampleOf(operation.Value, m.Groups[1].Value, path.Name));
                using var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url)
                {
                    Content = new StringContent(example.GetRawText(), System.Text.Encoding.UTF8, "application/json"),
                };
                using var response = await http.SendAsync(request);
                Assert.True(response.IsSuccessStatusCode, $"{operation.Name} {url} with its example: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                sent.Add($"{operation.Name} {path.Name}");
            }
        }

        Assert.Superset(
            new HashSet<string>(
            [
                "post /api/jobs", "post /api/jobs/{id}/retrain", "post /api/jobs/{id}/redeploy",
                "post /predict/{model}", "post /predict/{model}/{version}",
                "post /v2/models/{name}/infer", "post /v2/models/{name}/versions/{version}/infer",
                "post /models/{name}/rollback", "post /api/models/{name}/rollback",
            ]),
            sent.ToHashSet());
    }

    private static string ExampleOf(JsonElement operation, string parameter, string path)
    {
        foreach (var p in operation.GetProperty("parameters").EnumerateArray())
        {
            if (p.GetProperty("name").GetString() == parameter && p.TryGetProperty("example", out var example))
            {
                return example.GetString()!;
            }
        }

        Assert.Fail($"{path}: the path parameter '{parameter}' has no example");
        return "";
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex PathParameter();

    // "{id:guid}" in a route pattern is "{id}" in the document; a group's "/models" + "" is "/models".
    private static string Normalise(string pattern)
    {
        var path = Constraint().Replace(pattern.StartsWith('/') ? pattern : "/" + pattern, "{$1}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex(@"\{(\w+)(:[^}]+)\}")]
    private static partial Regex Constraint();
}
