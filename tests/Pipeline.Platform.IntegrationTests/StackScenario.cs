using Pipeline.Platform.Persistence;
using Pipeline.Testing.Sagas;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>One scenario on the local stack: its own PostgreSQL database and its own saga queue.</summary>
public sealed class StackScenario : IAsyncDisposable
{
    private readonly List<CounterHost> _hosts = [];

    private StackScenario(TempDatabase database, Dictionary<string, string?> settings)
    {
        Database = database;
        Settings = settings;
    }

    public TempDatabase Database { get; }

    public Dictionary<string, string?> Settings { get; }

    public static async Task<StackScenario> CreateAsync()
    {
        var settings = LocalStack.Settings();
        var database = await TempDatabase.CreateAsync(settings["Pipeline:Database:ConnectionString"]!);
        settings["Pipeline:Database:Provider"] = "postgres";
        settings["Pipeline:Database:ConnectionString"] = database.ConnectionString;
        settings["Pipeline:Transport"] = "rabbitmq";
        settings["Pipeline:Scheduler:PollInterval"] = "00:00:00.100";
        settings["Counter:Endpoint"] = "counter-" + database.Name;
        return new StackScenario(database, settings);
    }

    /// <summary>Starts one more service process (a host with its own bus connection and DbContexts).</summary>
    public async Task<CounterHost> StartHostAsync(FinalizedSagaPolicy finalized = FinalizedSagaPolicy.Delete)
    {
        var host = await CounterHost.StartAsync(Settings, finalized);
        _hosts.Add(host);
        return host;
    }

    public async Task StopHostAsync(CounterHost host)
    {
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}
