using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>RabbitMQ's management API as the local stack exposes it: what an operator (or a fault) does to the broker.</summary>
public sealed class BrokerAdmin : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _vhost;

    public BrokerAdmin(IReadOnlyDictionary<string, string?> settings)
    {
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{settings["Pipeline:RabbitMq:Username"]}:{settings["Pipeline:RabbitMq:Password"]}"));
        _http = new HttpClient { BaseAddress = new Uri($"http://{settings["Pipeline:RabbitMq:Host"]}:{settings.GetValueOrDefault("Pipeline:RabbitMq:ManagementPort") ?? "15672"}/") };
        _http.DefaultRequestHeaders.Authorization = new("Basic", auth);
        _vhost = Uri.EscapeDataString(settings.GetValueOrDefault("Pipeline:RabbitMq:VirtualHost") ?? "/");
    }

    /// <summary>Closes every connection of that client-provided name; returns how many (the API lists a new one a few seconds late).</summary>
    public async Task<int> CloseConnections(string connectionName)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var connections = await _http.GetFromJsonAsync<JsonElement[]>("api/connections");
            var ours = connections!
                .Where(c => c.TryGetProperty("client_properties", out var p) && p.TryGetProperty("connection_name", out var n) && n.GetString() == connectionName)
                .Select(c => c.GetProperty("name").GetString()!)
                .ToList();
            if (ours.Count > 0)
            {
                foreach (var name in ours)
                {
                    using var response = await _http.DeleteAsync("api/connections/" + Uri.EscapeDataString(name));
                    response.EnsureSuccessStatusCode();
                }

                return ours.Count;
            }

            await Task.Delay(100);
        }

        return 0;
    }

    /// <summary>Declares a durable queue (nobody consuming it).</summary>
    public async Task DeclareQueue(string queue)
    {
        using var response = await _http.PutAsJsonAsync($"api/queues/{_vhost}/{Uri.EscapeDataString(queue)}", new { durable = true });
        response.EnsureSuccessStatusCode();
    }

    public async Task DeleteQueue(string queue)
    {
        using var response = await _http.DeleteAsync($"api/queues/{_vhost}/{Uri.EscapeDataString(queue)}");
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();
}
