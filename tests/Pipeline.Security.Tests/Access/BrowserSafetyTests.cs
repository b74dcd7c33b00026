using System.Net;
using System.Text;
using Pipeline.Testing.Embedded;
using static Pipeline.Security.Tests.Access.RolesTests;

namespace Pipeline.Security.Tests.Access;

/// <summary>
/// Probes: "Rollback accepts text/plain, form-encoded or empty bodies; upload accepts any type; any Host header is
/// answered"; "No CSP / frame-ancestors / nosniff headers". Run against the default host (authentication off,
/// loopback), where a page on another origin is the attacker.
/// </summary>
public sealed class BrowserSafetyTests : IAsyncLifetime
{
    private EmbeddedSystem _system = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _system = await EmbeddedSystem.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_system.Url + "/") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _system.DisposeAsync();
    }

    [Theory]
    [InlineData("ui/jobs")]
    [InlineData("api/jobs")]
    [InlineData("ui/assets/app.js")]
    public async Task Every_answer_forbids_framing_and_sniffing(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", string.Join("", response.Headers.GetValues("X-Frame-Options")));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("api/models/m/rollback", "text/plain", "{\"toVersion\": 1}")]
    [InlineData("api/models/m/rollback", "application/x-www-form-urlencoded", "toVersion=1")]
    [InlineData("api/jobs?name=x.csv&target=y", "text/plain", "x,y\n1,2\n")]
    [InlineData("api/jobs?name=x.csv&target=y", "multipart/form-data; boundary=b", "--b--")]
    [InlineData("api/jobs?name=x.csv&target=y", "application/x-www-form-urlencoded", "x=1")]
    [InlineData("predict/m", "text/plain", "{\"a\": 1}")]
    [InlineData("api/keys", "text/plain", "{\"name\": \"x\", \"role\": \"admin\"}")]
    public async Task State_changing_routes_refuse_the_types_a_foreign_page_can_send_with_415(string path, string type, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(type);
        using var response = await _http.PostAsync(path, content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_upload_without_a_content_type_is_refused()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("x,y\n1,2\n"));
        using var response = await _http.PostAsync("api/jobs?name=x.csv&target=y", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("rebind.attacker.test:5080")]
    public async Task Another_host_name_is_refused_so_dns_rebinding_reaches_nothing(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/jobs");
        request.Headers.Host = host;
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("Origin", "http://127.0.0.1:1")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task State_changing_requests_a_browser_sent_from_another_origin_get_403(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/models/m/rollback") { Content = Json("{}") };
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Cross-origin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_origin_and_non_browser_clients_get_through()
    {
        // The dashboard's own request (same origin) and the CLI's (no Origin, no Sec-Fetch-Site): the registry answers.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/models/m/rollback") { Content = Json("{}") };
        request.Headers.TryAddWithoutValidation("Origin", _system.Url);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(_http, "POST", "api/models/m/rollback"));
    }
}
