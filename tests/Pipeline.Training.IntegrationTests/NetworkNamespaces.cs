using System.Diagnostics;

namespace Pipeline.Training.IntegrationTests;

/// <summary>
/// Hosts on one machine: Linux network namespaces on a private bridge, made by <c>infra/netns.sh</c>, with their
/// own RabbitMQ, PostgreSQL and s3rver on the first host. Removed on dispose, whatever happened; leftovers of a
/// crashed run are removed by the next <see cref="UpAsync"/>. Needs root. One rig at a time on a machine (a file
/// lock), since the names and the address range are fixed.
/// </summary>
public sealed class NetworkNamespaces : IAsyncDisposable
{
    private const string LockFile = "/tmp/pipeline-netns.lock";
    private readonly FileStream _lock;
    private readonly Dictionary<string, (string Namespace, string Address)> _hosts;

    private NetworkNamespaces(FileStream @lock, Dictionary<string, string?> settings, Dictionary<string, (string, string)> hosts, TimeSpan upTime)
    {
        _lock = @lock;
        Settings = settings;
        _hosts = hosts;
        UpTime = upTime;
    }

    /// <summary>The settings every service needs to reach the rig's infrastructure (broker, database, object store).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public TimeSpan UpTime { get; }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Pipeline.sln not found above the test's folder.");
        }
    }

    private static string Script => Path.Combine(RepositoryRoot, "infra", "netns.sh");

    private static string State => Path.Combine(Path.GetTempPath(), "pln-netns");

    /// <summary>Creates the hosts (the first runs the infrastructure) and starts the infrastructure.</summary>
    public static async Task<NetworkNamespaces> UpAsync(params string[] hosts)
    {
        var @lock = await TakeLockAsync(TimeSpan.FromMinutes(10));
        try
        {
            var started = Stopwatch.GetTimestamp();
            var (code, output) = await RunScriptAsync(TimeSpan.FromMinutes(3), ["up", .. hosts]);
            if (code != 0)
            {
                await RunScriptAsync(TimeSpan.FromMinutes(1), "down");
                throw new InvalidOperationException($"infra/netns.sh up failed ({code}); needs root and an installed local stack (infra/stack.sh up):\n{output}");
            }

            var upTime = Stopwatch.GetElapsedTime(started);
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var hostMap = new Dictionary<string, (string, string)>();
            foreach (var line in await File.ReadAllLinesAsync(Path.Combine(State, "env")))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                if (line.StartsWith('#') || eq < 0)
                {
                    continue;
                }

                var key = line[..eq];
                var value = line[(eq + 1)..].Trim('"');
                if (key.StartsWith("NETNS_HOST_", StringComparison.Ordinal))
                {
                    var parts = value.Split(' ');
                    hostMap[key["NETNS_HOST_".Length..]] = (parts[0], parts[1]);
                }
                else
                {
                    settings[key.Replace("__", ":", StringComparison.Ordinal)] = value;
                }
            }

            return new NetworkNamespaces(@lock, settings, hostMap, upTime);
        }
        catch
        {
            await @lock.DisposeAsync();
            throw;
        }
    }

    public string Namespace(string host) => _hosts[host].Namespace;

    public string Address(string host) => _hosts[host].Address;

    /// <summary>These settings plus more (a worker's name, a test's short timeouts).</summary>
    public Dictionary<string, string?> With(IReadOnlyDictionary<string, string?> extra, params (string Key, string? Value)[] more)
    {
        var copy = new Dictionary<string, string?>(Settings, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in extra)
        {
            copy[key] = value;
        }

        foreach (var (key, value) in more)
        {
            copy[key] = value;
        }

        return copy;
    }

    /// <summary>A service process on a host, configured by environment variables only.</summary>
    public ServiceProcess Start(string host, string project, IReadOnlyDictionary<string, string?> settings) =>
        ServiceProcess.StartOnHost(Namespace(host), project, settings);

    /// <summary>Cuts (or restores) the host's link to the bridge, like pulling its cable.</summary>
    public async Task SetLinkAsync(string host, bool up)
    {
        var (code, output) = await RunScriptAsync(TimeSpan.FromSeconds(30), "link", host, up ? "up" : "down");
        if (code != 0)
        {
            throw new InvalidOperationException($"netns.sh link {host}: {output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var (code, output) = await RunScriptAsync(TimeSpan.FromMinutes(1), "down");
            if (code != 0)
            {
                throw new InvalidOperationException($"infra/netns.sh down failed ({code}): {output}");
            }
        }
        finally
        {
            await _lock.DisposeAsync();
        }
    }

    private static async Task<FileStream> TakeLockAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock on Linux; the kernel drops it if this process dies.
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private static async Task<(int Code, string Output)> RunScriptAsync(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("bash", [Script, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["PIPELINE_NETNS_STATE"] = State;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"timed out after {timeout.TotalSeconds:0} s\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
