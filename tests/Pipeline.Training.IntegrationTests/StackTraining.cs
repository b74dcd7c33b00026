using Pipeline.Contracts;
using Pipeline.Platform.IntegrationTests;

namespace Pipeline.Training.IntegrationTests;

/// <summary>One training scenario on the local stack: its own PostgreSQL database and its own RabbitMQ virtual host.</summary>
public sealed class StackTraining : IAsyncDisposable
{
    private StackTraining(TempDatabase database, TestVirtualHost vhost, Dictionary<string, string?> settings)
    {
        Database = database;
        VirtualHost = vhost;
        Settings = settings;
    }

    public TempDatabase Database { get; }
    public TestVirtualHost VirtualHost { get; }
    public Dictionary<string, string?> Settings { get; }

    public static async Task<StackTraining> CreateAsync()
    {
        var settings = LocalStack.Settings();
        var database = await TempDatabase.CreateAsync(settings["Pipeline:Database:ConnectionString"]!);
        var vhost = await TestVirtualHost.CreateAsync(settings);
        settings["Pipeline:Transport"] = "rabbitmq";
        settings["Pipeline:RabbitMq:VirtualHost"] = vhost.Name;
        settings["Pipeline:Database:Provider"] = "postgres";
        settings["Pipeline:Database:ConnectionString"] = database.ConnectionString;
        settings["Pipeline:Scheduler:PollInterval"] = "00:00:00.200";
        return new StackTraining(database, vhost, settings);
    }

    /// <summary>These settings plus a few more (e.g. a worker's name).</summary>
    public Dictionary<string, string?> With(params (string Key, string Value)[] extra)
    {
        var copy = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in extra)
        {
            copy[key] = value;
        }

        return copy;
    }

    public static TrainingSettings Job(int shards, int rounds, int[]? hidden = null, int localEpochs = 1) => new()
    {
        Shards = shards,
        Rounds = rounds,
        LocalEpochs = localEpochs,
        BatchSize = 256,
        HiddenLayers = hidden ?? [32],
        LearningRate = 0.003,
        Patience = 0,
        Seed = 5,
    };

    public async ValueTask DisposeAsync()
    {
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}
