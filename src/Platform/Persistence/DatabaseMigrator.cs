using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// Applies pending migrations before the service starts consuming. Several instances may start at once: on
/// PostgreSQL a session-level advisory lock makes them take turns, so only one runs each migration.
/// </summary>
public sealed partial class DatabaseMigrator<TContext>(IDbContextFactory<TContext> factory, ILogger<DatabaseMigrator<TContext>> logger) : IHostedService
    where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var context = await factory.CreateDbContextAsync(cancellationToken);
        var database = context.Database;
        try
        {
            if (database.IsNpgsql())
            {
                await database.OpenConnectionAsync(cancellationToken);
                var lockKey = StableLockKey(typeof(TContext).FullName!);
                await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({lockKey})", cancellationToken);
                try
                {
                    await database.MigrateAsync(cancellationToken);
                }
                finally
                {
                    await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockKey})", CancellationToken.None);
                }
            }
            else
            {
                await database.MigrateAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Hosting.StartupException.ForDatabase(database.GetConnectionString(), ex);
        }

        LogMigrated(logger, typeof(TContext).Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A fixed 64-bit key per context type, the same in every process (string.GetHashCode is randomised).
    private static long StableLockKey(string name)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name));
        return BitConverter.ToInt64(hash, 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema of {Context} is up to date")]
    private static partial void LogMigrated(ILogger logger, string context);
}
