using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Pipeline.Platform.Security;

namespace Pipeline.Orchestrator.Dashboard;

/// <summary>
/// The dashboard: three pages (<c>/ui/jobs</c>, <c>/ui/jobs/{id}</c>, <c>/ui/models</c>) served as one page whose
/// script renders what the URL names. Its files are embedded in this assembly, so a service host needs no web root
/// and nothing is fetched from the internet.
/// </summary>
public static class DashboardEndpoints
{
    private static readonly FrozenDictionary<string, (byte[] Content, string Type)> Assets = new Dictionary<string, (byte[], string)>
    {
        ["index.html"] = (Read("index.html"), "text/html; charset=utf-8"),
        ["core.js"] = (Read("core.js"), "text/javascript; charset=utf-8"),
        ["chart.js"] = (Read("chart.js"), "text/javascript; charset=utf-8"),
        ["jobs.js"] = (Read("jobs.js"), "text/javascript; charset=utf-8"),
        ["job.js"] = (Read("job.js"), "text/javascript; charset=utf-8"),
        ["models.js"] = (Read("models.js"), "text/javascript; charset=utf-8"),
        ["app.js"] = (Read("app.js"), "text/javascript; charset=utf-8"),
        ["app.css"] = (Read("app.css"), "text/css; charset=utf-8"),
    }.ToFrozenDictionary();

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        // Pages for people, not API: kept out of the OpenAPI document.
        var app = endpoints.MapGroup(string.Empty).ExcludeFromDescription();
        app.MapGet("/", () => Results.Redirect("/ui/jobs")).AllowAnonymous();
        app.MapGet("/ui", () => Results.Redirect("/ui/jobs")).AllowAnonymous();
        foreach (var page in new[] { "/ui/jobs", "/ui/jobs/{id:guid}", "/ui/models" })
        {
            // Without a session (API keys on) the cookie scheme sends the browser to /ui/login.
            app.MapGet(page, () => Asset("index.html")).RequireAuthorization(PipelinePolicies.Read);
        }

        // The script and style hold no data; the login page needs the style before anyone signs in.
        app.MapGet("/ui/assets/{file}", (string file) => Assets.ContainsKey(file) ? Asset(file) : Results.NotFound()).AllowAnonymous();
        app.MapDashboardLogin();
        return endpoints;
    }

    private static IResult Asset(string name)
    {
        var (content, type) = Assets[name];
        return Results.Bytes(content, type);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("dashboard/" + name)
            ?? throw new InvalidOperationException($"The dashboard file {name} is not embedded in {typeof(DashboardEndpoints).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
