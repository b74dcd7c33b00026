namespace Pipeline.Platform.Persistence;

/// <summary>Which database holds job state and scheduled messages. Bound from <c>Pipeline:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Pipeline:Database";

    /// <summary><c>sqlite</c> (embedded mode, the default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>ADO.NET connection string; for SQLite defaults to a file under <c>.pipeline/</c>.</summary>
    public string ConnectionString { get; set; } = "Data Source=.pipeline/pipeline.db";

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
