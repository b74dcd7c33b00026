using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Pipeline.Platform.Persistence;

public static class DatabaseRegistration
{
    /// <summary>
    /// Registers <typeparamref name="TContext"/> on the configured provider. Each provider has its own derived
    /// context type so that each keeps its own migrations (EF Core migrations are provider-specific); the rest of
    /// the code asks for <c>IDbContextFactory&lt;TContext&gt;</c> and never sees which one it got. Migrations are
    /// applied at start-up by <see cref="DatabaseMigrator{TContext}"/>.
    /// </summary>
    /// <summary>
    /// The context's own migrations history table (<c>__migrations_orchestratordbcontext</c>, ...): the contexts share
    /// one database. The design-time factories use it too, so the idempotent SQL scripts (tools/migration-scripts.sh)
    /// record their migrations where the services look for them.
    /// </summary>
    public static string HistoryTable<TContext>()
        where TContext : DbContext => "__migrations_" + typeof(TContext).Name.ToLowerInvariant();

    public static IServiceCollection AddPipelineDbContext<TContext, TPostgres, TSqlite>(this IServiceCollection services, IConfiguration configuration)
        where TContext : PipelineDbContext
        where TPostgres : TContext
        where TSqlite : TContext
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section));
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var historyTable = HistoryTable<TContext>();

        switch (options.ParsedProvider)
        {
            case DatabaseProvider.Postgres:
                services.AddDbContextFactory<TPostgres>(b => b.UseNpgsql(options.ConnectionString, npgsql =>
                {
                    npgsql.MigrationsHistoryTable(historyTable);
                    // Reconnects after a PostgreSQL restart: transient failures are retried by EF itself.
                    npgsql.EnableRetryOnFailure(maxRetryCount: 6, maxRetryDelay: TimeSpan.FromSeconds(5), errorCodesToAdd: null);
                }));
                services.TryAddSingleton<IDbContextFactory<TContext>>(sp => new DerivedContextFactory<TContext, TPostgres>(sp.GetRequiredService<IDbContextFactory<TPostgres>>()));
                break;
            default:
                EnsureSqliteFolder(options.ConnectionString);
                services.AddDbContextFactory<TSqlite>(b => b
                    .UseSqlite(options.ConnectionString, sqlite => sqlite.MigrationsHistoryTable(historyTable))
                    .ConfigureWarnings(w => w.Ignore(SqliteMigrationNotices)));
                services.TryAddSingleton<IDbContextFactory<TContext>>(sp => new DerivedContextFactory<TContext, TSqlite>(sp.GetRequiredService<IDbContextFactory<TSqlite>>()));
                break;
        }

        services.AddHostedService<DatabaseMigrator<TContext>>();
        return services;
    }

    /// <summary>
    /// Warnings EF Core logs on every first start while it applies our SQLite migrations, that ask nothing of the
    /// person reading them. SQLite cannot change a column's type in place, so EF rebuilds the table; a migration that
    /// also converts the values (Orchestrator's JobTimesForTheApi: text dates to ticks with an UPDATE) runs that SQL
    /// before the rebuild on purpose, which EF reports as 30200 ("an operation will be attempted while a rebuild of
    /// table X is pending"), and the rebuild's PRAGMA foreign_keys runs outside the transaction (20410). Both were
    /// reviewed where the migration was written, which is where they matter. Ignored here, by event id, rather than by a
    /// log filter in PipelineHost.UsePipelineDefaults: a log filter sees only the category, and muting the whole
    /// Microsoft.EntityFrameworkCore.Migrations category would also hide the warnings that do need someone.
    /// </summary>
    private static readonly EventId[] SqliteMigrationNotices =
    [
        Microsoft.EntityFrameworkCore.Diagnostics.SqliteEventId.TableRebuildPendingWarning,
        Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.NonTransactionalMigrationOperationWarning,
    ];

    private static void EnsureSqliteFolder(string connectionString)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(folder) && builder.DataSource != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }

    private sealed class DerivedContextFactory<TContext, TDerived>(IDbContextFactory<TDerived> inner) : IDbContextFactory<TContext>
        where TContext : DbContext
        where TDerived : TContext
    {
        public TContext CreateDbContext() => inner.CreateDbContext();
    }
}
