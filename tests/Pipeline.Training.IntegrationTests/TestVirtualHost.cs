using System.Net.Http.Json;

namespace Pipeline.Training.IntegrationTests;

/// <summary>
/// A RabbitMQ virtual host of its own for one scenario: the real queue names (train-shard, training-job, ...) can
/// then be used without meeting another test's consumers on the shared broker. Deleted on dispose.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private readonly HttpClient _http;

    private TestVirtualHost(HttpClient http, string name)
    {
        _http = http;
        Name = name;
    }

    public string Name { get; }

    public static async Task<TestVirtualHost> CreateAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var user = settings["Pipeline:RabbitMq:Username"]!;
        var http = new HttpClient { BaseAddress = new Uri($"http://{settings["Pipeline:RabbitMq:Host"]}:{settings.GetValueOrDefault("Pipeline:RabbitMq:ManagementPort") ?? "15672"}/") };
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{settings["Pipeline:RabbitMq:Password"]}")));
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        (await http.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{name}/{Uri.EscapeDataString(user)}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new TestVirtualHost(http, name);
    }

    public async ValueTask DisposeAsync()
    {
        using (await _http.DeleteAsync($"api/vhosts/{Name}"))
        {
        }

        _http.Dispose();
    }
}
