using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Cli.Demo;
using Pipeline.Testing.Embedded;
using static Pipeline.Cli.Tests.CliRun;

namespace Pipeline.Cli.Tests;

/// <summary>
/// The log a person watches while `pipeline up` runs: no warnings on a normal first start (a fresh folder, so every
/// migration runs), and one Information line per training round, whatever the number of shards.
/// </summary>
public sealed class LogVolumeTests
{
    /// <summary>The one warning a loopback start gives on purpose: authentication is off (docs/SECURITY.md).</summary>
    private const string AuthenticationOffNotice = "SecurityStartupNotice";

    [Fact]
    public async Task A_first_start_warns_of_nothing_but_open_access_and_each_round_is_one_information_line()
    {
        var log = new CapturedLog();
        await using var system = await EmbeddedSystem.StartAsync(logTo: log);
        var warnings = log.Entries.Where(e => e.Level >= LogLevel.Warning && !e.Category.Contains(AuthenticationOffNotice, StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 0, string.Join('\n', warnings));

        var csv = Path.Combine(system.Folder, "rooms.csv");
        HousePriceCsv.Write(csv, 2000, seed: 3);
        var (code, detail, error) = await Run("submit", csv, "--target", "price", "--workers", "3", "--rounds", "3", "--patience", "0", "--watch", "--json", "--url", system.Url);
        Assert.True(code == ExitCodes.Ok, error);
        var rounds = JsonDocument.Parse(detail).RootElement.GetProperty("rounds").GetArrayLength();

        var training = log.Entries.Where(e => e.Level >= LogLevel.Information && e.Category.StartsWith("Pipeline.TrainWorker", StringComparison.Ordinal)).ToList();
        Assert.True(training.Count == rounds, $"{rounds} rounds, {training.Count} lines:\n{string.Join('\n', training)}");
        Assert.All(training, e => Assert.Contains("validation loss", e.Message, StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Category.Contains(AuthenticationOffNotice, StringComparison.Ordinal));
    }

    private sealed record Entry(string Category, LogLevel Level, string Message)
    {
        public override string ToString() => $"{Level} {Category}: {Message}";
    }

    /// <summary>Keeps every entry the host's filters let through (the filters decide, so IsEnabled says yes).</summary>
    private sealed class CapturedLog : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Queue { get; } = new();

        public IEnumerable<Entry> Entries => Queue;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Queue);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> queue) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                queue.Enqueue(new Entry(category, logLevel, formatter(state, exception)));
        }
    }
}
