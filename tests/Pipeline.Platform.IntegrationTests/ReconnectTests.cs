using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Npgsql;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>A running service whose broker or database connection drops carries on by itself.</summary>
[Collection(nameof(ReconnectTests))]
[CollectionDefinition(nameof(ReconnectTests), DisableParallelization = true)]
public sealed class ReconnectTests
{
    [Fact]
    public async Task A_service_whose_RabbitMQ_connection_is_closed_reconnects_and_carries_on()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var connectionName = "reconnect-test-" + scenario.Database.Name;
        scenario.Settings["Pipeline:RabbitMq:ConnectionName"] = connectionName;
        var host = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await host.Send(new Testing.Sagas.StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);
        await host.Send(new Testing.Sagas.IncrementCounter { CounterId = id, Sequence = 0 });
        await host.WaitFor(id, s => s?.Count == 1);

        var closed = await CloseBrokerConnections(scenario.Settings, connectionName);
        Assert.True(closed > 0, "the test host's broker connection was not found in the management API");

        await host.Send(new Testing.Sagas.IncrementCounter { CounterId = id, Sequence = 1 });
        var saga = await host.WaitFor(id, s => s?.Count == 2, TimeSpan.FromSeconds(60));
        Assert.Equal(0, saga!.Duplicates);
    }

    [Fact]
    public async Task A_service_whose_PostgreSQL_sessions_are_killed_carries_on()
    {
        await using var scenario = await StackScenario.CreateAsync();
        var host = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await host.Send(new Testing.Sagas.StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);

        await using (var admin = new NpgsqlConnection(LocalStack.Settings()["Pipeline:Database:ConnectionString"]))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", admin);
            kill.Parameters.AddWithValue("db", scenario.Database.Name);
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0);
        }

        await host.Send(new Testing.Sagas.IncrementCounter { CounterId = id, Sequence = 7 });
        var saga = await host.WaitFor(id, s => s?.Count == 1, TimeSpan.FromSeconds(60));
        Assert.Equal(1L << 7, saga!.SeenMask);
    }

    private static async Task<int> CloseBrokerConnections(Dictionary<string, string?> settings, string connectionName)
    {
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{settings["Pipeline:RabbitMq:Username"]}:{settings["Pipeline:RabbitMq:Password"]}"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{settings["Pipeline:RabbitMq:Host"]}:{settings.GetValueOrDefault("Pipeline:RabbitMq:ManagementPort") ?? "15672"}/") };
        http.DefaultRequestHeaders.Authorization = new("Basic", auth);

        // The management API lists a new connection a few seconds late (stats interval).
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var connections = await http.GetFromJsonAsync<JsonElement[]>("api/connections");
            var ours = connections!
                .Where(c => c.TryGetProperty("client_properties", out var p) && p.TryGetProperty("connection_name", out var n) && n.GetString() == connectionName)
                .Select(c => c.GetProperty("name").GetString()!)
                .ToList();
            if (ours.Count > 0)
            {
                foreach (var name in ours)
                {
                    using var response = await http.DeleteAsync("api/connections/" + Uri.EscapeDataString(name));
                    response.EnsureSuccessStatusCode();
                }

                return ours.Count;
            }

            await Task.Delay(100);
        }

        return 0;
    }
}
