using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Pipeline.Security.Tests.Access.RolesTests;

namespace Pipeline.Security.Tests.Access;

/// <summary>
/// The dashboard's login with API keys on: a form with an antiforgery token, a session cookie (HttpOnly,
/// SameSite=Strict) that carries no key, and state-changing requests that need the antiforgery header besides the
/// cookie; a revoked key ends its sessions.
/// </summary>
public sealed partial class DashboardSessionTests
{
    [Fact]
    public async Task A_session_cookie_alone_cannot_change_state_and_a_revoked_key_ends_the_session()
    {
        await using var system = await SecuredSystem.StartAsync();
        var token = await system.CreateKeyAsync("ops", "admin");
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(system.Url + "/") };

        // The login form, with its antiforgery field.
        var form = await browser.GetStringAsync("ui/login?returnUrl=/ui/models");
        var field = AntiforgeryField().Match(form);
        Assert.True(field.Success, form);

        // A wrong key: the form again, 401, no session.
        using (var wrong = await browser.PostAsync("ui/login", Form(field, "pk_nope")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Without the antiforgery field the login itself is refused.
        using (var forged = await browser.PostAsync("ui/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var login = await browser.PostAsync("ui/login", Form(field, token)))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("/ui/models", login.Headers.Location!.OriginalString);
            var setCookie = string.Join("\n", login.Headers.GetValues("Set-Cookie"));
            Assert.Matches("pipeline.session=[^;]+;.*samesite=strict", setCookie.ToLowerInvariant());
            Assert.Contains("httponly", setCookie.ToLowerInvariant(), StringComparison.Ordinal);
            Assert.DoesNotContain(token, setCookie, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(browser, "GET", "ui/jobs"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(browser, "GET", "api/jobs"));

        // The cookie alone does not roll back (a page that makes the browser send it gets 403) ...
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(browser, "POST", "api/models/m/rollback", Json("{}")));

        // ... the dashboard's own request, with the token from /ui/session, does (unknown model: 404 from the registry).
        using var session = JsonDocument.Parse(await browser.GetStringAsync("ui/session"));
        Assert.Equal("ops", session.RootElement.GetProperty("name").GetString());
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/models/m/rollback") { Content = Json("{}") })
        {
            request.Headers.Add("X-CSRF-TOKEN", session.RootElement.GetProperty("csrfToken").GetString());
            using var response = await browser.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // Revoking the key ends the session.
        using (var admin = system.Admin())
        using (var revoke = await admin.DeleteAsync("api/keys/ops"))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(browser, "GET", "api/jobs"));
    }

    [Fact]
    public async Task A_predictor_key_cannot_open_the_dashboard_and_login_never_redirects_off_site()
    {
        await using var system = await SecuredSystem.StartAsync();
        var predictor = await system.CreateKeyAsync("svc", "predictor");
        var reader = await system.CreateKeyAsync("viewer", "reader");
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(system.Url + "/") };
        var field = AntiforgeryField().Match(await browser.GetStringAsync("ui/login"));

        using (var refused = await browser.PostAsync("ui/login", Form(field, predictor)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var login = await browser.PostAsync("ui/login", Form(field, reader, returnUrl: "//evil.example/ui/"));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/ui/jobs", login.Headers.Location!.OriginalString);
    }

    private static FormUrlEncodedContent Form(Match field, string token, string returnUrl = "/ui/models") => new(new Dictionary<string, string>
    {
        [field.Groups[1].Value] = WebUtility.HtmlDecode(field.Groups[2].Value),
        ["token"] = token,
        ["returnUrl"] = returnUrl,
    });

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex AntiforgeryField();
}
