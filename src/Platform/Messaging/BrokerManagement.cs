using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pipeline.Platform.Messaging;

/// <summary>The few calls of RabbitMQ's management API that the consumer watchdog needs.</summary>
internal sealed class BrokerManagement(RabbitMqOptions o)
{
    public bool Available => o.ManagementPort > 0;

    /// <summary>Closes this vhost's connections of that client-provided name; returns how many.</summary>
    public async Task<int> CloseConnections(string connectionName, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"{(o.UseTls ? "https" : "http")}://{o.Host}:{o.ManagementPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.Username}:{o.Password}")));
        var connections = await http.GetFromJsonAsync<JsonElement[]>($"api/vhosts/{Uri.EscapeDataString(o.VirtualHost)}/connections", cancellationToken) ?? [];
        var closed = 0;
        foreach (var connection in connections)
        {
            if (connection.TryGetProperty("client_properties", out var client)
                && client.TryGetProperty("connection_name", out var name)
                && name.GetString() == connectionName
                && connection.GetProperty("name").GetString() is { } id)
            {
                using var request = new HttpRequestMessage(HttpMethod.Delete, "api/connections/" + Uri.EscapeDataString(id));
                request.Headers.Add("X-Reason", "Pipeline consumer watchdog: a queue lost its consumer; reconnecting");
                using var response = await http.SendAsync(request, cancellationToken);
                response.EnsureSuccessStatusCode();
                closed++;
            }
        }

        return closed;
    }
}
