using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// Applies pending migrations before the service starts consuming. Several instances may start at once: on
/// PostgreSQL a session-level advisory lock makes them take turns, so only one runs each migration. Hosts in one process
/// (embedded mode, tests) also take turns: EF Core keeps one model per context type for the whole process and finishes
/// building it on first use, and two hosts touching it first at once have failed to start with "The model must be
/// finalized ... before 'GetRelationalModel' can be used" (a clean-clone CI run, two training systems starting together).
/// </summary>
public sealed partial class DatabaseMigrator<TContext>(IDbContextFactory<TContext> factory, ILogger<DatabaseMigrator<TContext>> logger) : IHostedService
    where TContext : DbContext
{
    // 0.5 + 1 + 2 + 4 + 8 + 8 s of waiting: PostgreSQL's start-up after a restart takes seconds.
    private const int RestartAttempts = 7;

    // One per closed generic type: contexts of different types share no snapshot and need not wait for each other.
    private static readonly SemaphoreSlim InProcessTurn = new(1, 1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await InProcessTurn.WaitAsync(cancellationToken);
        try
        {
            await MigrateWhileTheServerRestartsAsync(cancellationToken);
        }
        finally
        {
            InProcessTurn.Release();
        }

        LogMigrated(logger, typeof(TContext).Name);
    }

    /// <summary>
    /// Migrates, waiting a little when the server restarted under pooled connections (57P01/57P02: each one fails
    /// once) or is still starting (57P03), as in a restart of everything at once; any other error fails the start.
    /// </summary>
    private async Task MigrateWhileTheServerRestartsAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateAsync(cancellationToken);
                return;
            }
            catch (Hosting.StartupException ex) when (attempt < RestartAttempts && ServerRestarting(ex) is { } restart)
            {
                NpgsqlConnection.ClearAllPools();
                var wait = TimeSpan.FromSeconds(Math.Min(8, 0.5 * (1 << (attempt - 1))));
                LogServerRestarting(logger, typeof(TContext).Name, restart.SqlState, wait.TotalSeconds);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var context = await factory.CreateDbContextAsync(cancellationToken);
        var database = context.Database;
        try
        {
            // First touch of the shared models under the turn, so no query or migration elsewhere in this process
            // finds them half-built.
            _ = context.Model;
            _ = context.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model;
            if (database.IsNpgsql())
            {
                await database.OpenConnectionAsync(cancellationToken);
                var lockKey = StableLockKey(typeof(TContext).FullName!);
                await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({lockKey})", cancellationToken);
                try
                {
                    await CreateHistoryTableAsync(database, cancellationToken);
                    await database.MigrateAsync(cancellationToken);
                }
                finally
                {
                    await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockKey})", CancellationToken.None);
                }
            }
            else
            {
                await CreateHistoryTableAsync(database, cancellationToken);
                await database.MigrateAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Hosting.StartupException.ForDatabase(database.GetConnectionString(), ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The error that says the server was shut down, terminated the connection or is starting, if that is what failed.</summary>
    private static PostgresException? ServerRestarting(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is PostgresException { SqlState: "57P01" or "57P02" or "57P03" } restart)
            {
                return restart;
            }
        }

        return null;
    }

    // A fixed 64-bit key per context type, the same in every process (string.GetHashCode is randomised).
    private static long StableLockKey(string name)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name));
        return BitConverter.ToInt64(hash, 0);
    }

    /// <summary>
    /// On a fresh database EF Core reads the history table before creating it and logs the failed SELECT as an error
    /// (dotnet/efcore#37328); creating it first keeps a normal first start free of "fail:" lines.
    /// </summary>
    private static Task<bool> CreateHistoryTableAsync(DatabaseFacade database, CancellationToken cancellationToken) =>
        database.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database for {Context} is restarting ({SqlState}); trying again in {Seconds} s")]
    private static partial void LogServerRestarting(ILogger logger, string context, string sqlState, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema of {Context} is up to date")]
    private static partial void LogMigrated(ILogger logger, string context);
}
