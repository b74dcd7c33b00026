using System.Diagnostics;

namespace Pipeline.Training.IntegrationTests;

/// <summary>
/// One of our service executables running as its own OS process (settings passed as environment variables), so a
/// test can SIGKILL it like an operator or the OOM killer would.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private bool _exited;

    private ServiceProcess(Process process) => _process = process;

    public static ServiceProcess Start(string project, IReadOnlyDictionary<string, string?> settings) =>
        Start(new ProcessStartInfo("dotnet", [ExecutablePath(project)]), settings);

    /// <summary>
    /// The service on a network-namespace "host" (<c>ip netns exec</c>), configured by exactly these settings: the
    /// test's own <c>Pipeline__*</c> environment (the shared local stack) is not passed on.
    /// </summary>
    public static ServiceProcess StartOnHost(string networkNamespace, string project, IReadOnlyDictionary<string, string?> settings)
    {
        var info = new ProcessStartInfo("ip", ["netns", "exec", networkNamespace, "dotnet", ExecutablePath(project)]);
        foreach (var inherited in info.Environment.Keys.Where(k => k.StartsWith("Pipeline__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(inherited);
        }

        return Start(info, settings);
    }

    private static ServiceProcess Start(ProcessStartInfo info, IReadOnlyDictionary<string, string?> settings)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        // Each service listens on its fixed port by default; tests run several copies at once, so any free port.
        if (!settings.ContainsKey("urls") && !settings.ContainsKey("ASPNETCORE_URLS"))
        {
            info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        }

        info.Environment["Logging__LogLevel__Default"] = "Information";

        // The scenarios follow shards by the worker's per-shard lines ("round 2 shard 1: training"), which are Debug.
        info.Environment["Logging__LogLevel__Pipeline.TrainWorker"] = "Debug";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        var service = new ServiceProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        service._process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        service._process.Exited += (_, _) => service.OnExited();
        service._process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        service._process.Start();
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Completes when the process prints a line containing the text.</summary>
    public Task<string> WaitForLine(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            var earlier = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (earlier is not null)
            {
                return Task.FromResult(earlier);
            }

            if (_exited)
            {
                return Task.FromException<string>(ExitedBefore());
            }

            _waiters.Add((l => l.Contains(text, StringComparison.Ordinal), seen));
        }

        return seen.Task.WaitAsync(timeout);
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no acknowledgements, no goodbyes.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Seen.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waiters fail at once when the process ends (a start-up error, a crash) instead of at their timeout.</summary>
    private void OnExited()
    {
        lock (_lines)
        {
            _exited = true;
            foreach (var waiter in _waiters)
            {
                waiter.Seen.TrySetException(ExitedBefore());
            }

            _waiters.Clear();
        }
    }

    private InvalidOperationException ExitedBefore() =>
        new($"the process exited before printing the line; its output:\n{string.Join('\n', _lines.TakeLast(40))}");

    /// <summary>The service's build output next to this test's (same configuration).</summary>
    private static string ExecutablePath(string project)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name; // .../bin/{Configuration}/net10.0/
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir!.FullName, "src", project, "bin", configuration, "net10.0", $"Pipeline.{project}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
    }
}
