namespace Pipeline.Platform.Tests;

/// <summary>Embedded-mode settings (in-memory transport, SQLite) on a fresh database file per test.</summary>
internal sealed class EmbeddedSettings : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-test-").FullName;

    public Dictionary<string, string?> Settings => new()
    {
        ["Pipeline:Transport"] = "inmemory",
        ["Pipeline:Database:Provider"] = "sqlite",
        ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, "pipeline.db")}",
        ["Pipeline:Scheduler:PollInterval"] = "00:00:00.100",
    };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
