using System.Collections;
using Npgsql;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>
/// Connection settings of the local stack, read from the environment (<c>Pipeline__...</c>, as written by
/// <c>infra/stack.sh up</c> into <c>infra/.state/stack.env</c>). Missing settings fail the test with what to do.
/// </summary>
public static class LocalStack
{
    public static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (key.StartsWith("Pipeline__", StringComparison.OrdinalIgnoreCase))
            {
                settings[key.Replace("__", ":", StringComparison.Ordinal)] = (string?)e.Value;
            }
        }

        foreach (var required in new[] { "Pipeline:RabbitMq:Username", "Pipeline:Database:ConnectionString", "Pipeline:Storage:Endpoint" })
        {
            if (string.IsNullOrEmpty(settings.GetValueOrDefault(required)))
            {
                throw new InvalidOperationException(
                    $"{required} is not set. Integration tests need the local stack: run `infra/stack.sh up` and `source infra/.state/stack.env` (or use ./test.sh).");
            }
        }

        return settings;
    }
}

/// <summary>A throw-away PostgreSQL database on the local stack, dropped on dispose.</summary>
public sealed class TempDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private TempDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TempDatabase> CreateAsync(string stackConnectionString)
    {
        var name = "pipeline_t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(stackConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(stackConnectionString) { Database = name };
        return new TempDatabase(stackConnectionString, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
