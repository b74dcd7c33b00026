using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Security;

namespace Pipeline.Orchestrator.Dashboard;

/// <summary>
/// Signing in to the dashboard when API keys are on: <c>GET /ui/login</c> shows a form where a person pastes their
/// key; <c>POST /ui/login</c> (a form with its antiforgery token, rate-limited) checks it and opens a session cookie
/// (HttpOnly, SameSite=Strict) carrying the key's name and role, never the key; <c>POST /ui/logout</c> ends it.
/// <c>GET /ui/session</c> tells the page who is signed in and gives it the antiforgery token its state-changing
/// requests must carry.
/// </summary>
public static class DashboardLogin
{
    public static IEndpointRouteBuilder MapDashboardLogin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ui/login", (HttpContext http, IAntiforgery antiforgery, IOptions<SecurityOptions> options, string? returnUrl) =>
            options.Value.Authentication == AuthenticationMode.None
                ? Results.Redirect("/ui/jobs")
                : Page(http, antiforgery, returnUrl, error: null))
            .AllowAnonymous();

        app.MapPost("/ui/login", async (HttpContext http, IAntiforgery antiforgery, ApiKeyStore keys, IOptions<SecurityOptions> options) =>
        {
            if (options.Value.Authentication == AuthenticationMode.None)
            {
                return Results.Redirect("/ui/jobs");
            }

            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid login form", detail: "the form's antiforgery token is missing or stale; reload /ui/login");
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var returnUrl = form["returnUrl"].ToString();
            var identity = await keys.ValidateAsync(form["token"].ToString().Trim(), http.RequestAborted);
            if (identity is null)
            {
                return Page(http, antiforgery, returnUrl, "That key is not valid (unknown, revoked or mistyped).", StatusCodes.Status401Unauthorized);
            }

            if (!PipelinePoliciesAdmit(identity.Role))
            {
                return Page(http, antiforgery, returnUrl, $"A {identity.Role} key cannot open the dashboard; use a reader, submitter or admin key.", StatusCodes.Status403Forbidden);
            }

            var principal = PipelineClaims.Principal(identity.Name, [identity.Role], identity.KeyId, SecurityRegistration.SessionScheme);
            await http.SignInAsync(SecurityRegistration.SessionScheme, principal);
            return Results.Redirect(IsLocalDashboardUrl(returnUrl) ? returnUrl : "/ui/jobs");
        })
            .AllowAnonymous()
            .RequireRateLimiting(SecurityRegistration.LoginLimit)
            .AcceptsOnly(allowEmptyBody: false, "application/x-www-form-urlencoded");

        app.MapPost("/ui/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(SecurityRegistration.SessionScheme);
            return Results.NoContent();
        }).AcceptsOnly(allowEmptyBody: true, "application/json");

        app.MapGet("/ui/session", (HttpContext http, ClaimsPrincipal user, IAntiforgery antiforgery, IOptions<SecurityOptions> options) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            return Results.Ok(new
            {
                name = PipelineClaims.ActorOf(user),
                roles = PipelineRoles.All.Where(user.IsInRole).ToArray(),
                authentication = options.Value.Authentication.ToString(),
                csrfToken = tokens.RequestToken,
            });
        }).RequireAuthorization(PipelinePolicies.Read);

        return app;
    }

    // Only a path of this dashboard: never another host ("//evil", "https://..."), so the login cannot be used to bounce people elsewhere.
    internal static bool IsLocalDashboardUrl(string? url) =>
        url is { Length: > 0 and < 512 } && url.StartsWith("/ui/", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal);

    private static bool PipelinePoliciesAdmit(string role) => role is PipelineRoles.Reader or PipelineRoles.Submitter or PipelineRoles.Admin;

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error, int status = StatusCodes.Status200OK)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var message = error is null ? string.Empty : $"<p class=\"error\" id=\"login-error\">{WebUtility.HtmlEncode(error)}</p>";
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · Pipeline</title>
            <link rel="icon" href="data:,"><link rel="stylesheet" href="/ui/assets/app.css"></head>
            <body><header><span class="brand">Pipeline</span></header>
            <main><div class="card login"><h1>Sign in</h1>
            <p class="muted">Paste an API key (<code>pipeline keys create NAME --role reader</code> makes one).</p>{message}
            <form method="post" action="/ui/login">
            <input type="hidden" name="{WebUtility.HtmlEncode(tokens.FormFieldName)}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}">
            <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(IsLocalDashboardUrl(returnUrl) ? returnUrl : "/ui/jobs")}">
            <label>API key <input type="password" name="token" id="token" autocomplete="off" required></label>
            <button type="submit" id="sign-in">Sign in</button>
            </form></div></main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
