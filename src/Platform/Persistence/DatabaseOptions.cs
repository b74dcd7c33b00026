namespace Pipeline.Platform.Persistence;

/// <summary>Which database holds job state and scheduled messages. Bound from <c>Pipeline:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Pipeline:Database";

    /// <summary><c>sqlite</c> (embedded mode, the default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>ADO.NET connection string; for SQLite defaults to a file under <c>.pipeline/</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=.pipeline/pipeline.db";

    /// <summary>
    /// How long a message that failed on an unreachable database is held in process waiting for it, per outage
    /// (<see cref="DatabaseOutageWait"/>): about the whole redelivery budget, which cannot be used while the
    /// database, where the scheduler keeps redeliveries, is down.
    /// </summary>
    public TimeSpan OutageWait { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often a held message checks whether the database answers again.</summary>
    public TimeSpan OutageProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    public DatabaseProvider ParsedProvider => Provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => DatabaseProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => throw new Hosting.StartupException($"Pipeline:Database:Provider is '{Provider}'; use 'sqlite' or 'postgres'."),
    };
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
