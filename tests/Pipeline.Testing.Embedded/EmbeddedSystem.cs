using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Pipeline.Cli;
using Pipeline.Platform.Hosting;

namespace Pipeline.Testing.Embedded;

/// <summary>
/// The chosen services in this process on a free port of 127.0.0.1, in embedded mode (SQLite, in-memory bus, local
/// folder) under a fresh temporary folder that is removed again on dispose.
/// </summary>
public sealed class EmbeddedSystem : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedSystem(WebApplication app, string folder)
    {
        _app = app;
        Folder = folder;
        Url = app.Urls.First().TrimEnd('/');
    }

    /// <summary>The system's data folder (database, objects); a test may put its input files here too.</summary>
    public string Folder { get; }

    /// <summary>The host's services (for tests that inspect what it mapped).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Base address without a trailing slash, e.g. http://127.0.0.1:41234.</summary>
    public string Url { get; }

    /// <param name="services">The services to host; all when null.</param>
    /// <param name="settings">Settings on top of embedded mode's (for example the security settings).</param>
    /// <param name="logTo">Receives the services' log, with the levels and filters they run with; none when null.</param>
    public static async Task<EmbeddedSystem> StartAsync(IReadOnlyCollection<string>? services = null, IReadOnlyDictionary<string, string?>? settings = null, ILoggerProvider? logTo = null)
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-system-").FullName;
        var all = EmbeddedMode.Settings(folder);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = ServiceHost.Build(services ?? ServiceHost.All, all, "http://127.0.0.1:0", quiet: true, logTo);
        await app.StartAsync();
        return new EmbeddedSystem(app, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();

        // SQLite keeps pooled connections (and so the file) open until cleared.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
