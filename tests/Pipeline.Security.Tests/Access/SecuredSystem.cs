using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Testing.Embedded;

namespace Pipeline.Security.Tests.Access;

/// <summary>The whole system in one process with API keys on, and clients holding keys of each role.</summary>
internal sealed class SecuredSystem : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-0123456789-abcdefghijklmnop";

    private SecuredSystem(EmbeddedSystem system) => System = system;

    public EmbeddedSystem System { get; }

    public string Url => System.Url;

    public static async Task<SecuredSystem> StartAsync(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Pipeline:Security:Authentication"] = "ApiKeys",
            ["Pipeline:Security:AdminToken"] = AdminToken,
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new SecuredSystem(await EmbeddedSystem.StartAsync(settings: settings));
    }

    public HttpClient Anonymous() => new() { BaseAddress = new Uri(Url + "/") };

    public HttpClient With(string token)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Admin() => With(AdminToken);

    /// <summary>Creates a key through the API as the admin and returns its token.</summary>
    public async Task<string> CreateKeyAsync(string name, string role)
    {
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync("api/keys", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("token").GetString()!;
    }

    public ValueTask DisposeAsync() => System.DisposeAsync();
}
