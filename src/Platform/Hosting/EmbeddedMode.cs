namespace Pipeline.Platform.Hosting;

/// <summary>
/// The settings of embedded mode, everything under one folder: in-memory transport, a SQLite file, the local
/// folder as object store. What `pipeline demo` and in-process test systems run on.
/// </summary>
public static class EmbeddedMode
{
    public static Dictionary<string, string?> Settings(string folder) => new()
    {
        ["Pipeline:Transport"] = "inmemory",
        ["Pipeline:Database:Provider"] = "sqlite",
        ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "pipeline.db")}",
        ["Pipeline:Storage:Provider"] = "local",
        ["Pipeline:Storage:Root"] = Path.Combine(folder, "objects"),

        // Preprocessing uses every core and a few hundred MB per run: one at a time per process.
        ["Pipeline:Bus:EndpointConcurrency:preprocess-dataset"] = "1",
    };
}
