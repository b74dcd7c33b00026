using Pipeline.Platform.IntegrationTests;
using Pipeline.Training.IntegrationTests;

namespace Pipeline.Deploy.IntegrationTests;

/// <summary>
/// The local stack as one scenario's own world: its own PostgreSQL database, RabbitMQ virtual host and artifact
/// bucket, so the real queue names can be used without meeting anybody else's consumers.
/// </summary>
public sealed class DeployStack : IAsyncDisposable
{
    private readonly TempDatabase _database;
    private readonly TestVirtualHost _vhost;

    private DeployStack(TempDatabase database, TestVirtualHost vhost, Dictionary<string, string?> settings)
    {
        _database = database;
        _vhost = vhost;
        Settings = settings;
    }

    public Dictionary<string, string?> Settings { get; }

    public static async Task<DeployStack> CreateAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = LocalStack.Settings();
        var database = await TempDatabase.CreateAsync(settings["Pipeline:Database:ConnectionString"]!);
        var vhost = await TestVirtualHost.CreateAsync(settings);
        settings["Pipeline:Database:ConnectionString"] = database.ConnectionString;
        settings["Pipeline:RabbitMq:VirtualHost"] = vhost.Name;
        settings["Pipeline:Deploy:Bucket"] = "models-" + vhost.Name;
        settings["Pipeline:Deploy:Baseline"] = "false";
        settings["Pipeline:Bus:RetryMinInterval"] = "00:00:00.100";
        configure?.Invoke(settings);
        return new DeployStack(database, vhost, settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
    }
}
