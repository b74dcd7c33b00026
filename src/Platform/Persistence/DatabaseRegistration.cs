using Microsoft.EntityFrameworkCore;
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
    public static IServiceCollection AddPipelineDbContext<TContext, TPostgres, TSqlite>(this IServiceCollection services, IConfiguration configuration)
        where TContext : PipelineDbContext
        where TPostgres : TContext
        where TSqlite : TContext
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section));
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var historyTable = "__migrations_" + typeof(TContext).Name.ToLowerInvariant();

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
                services.AddDbContextFactory<TSqlite>(b => b.UseSqlite(options.ConnectionString, sqlite => sqlite.MigrationsHistoryTable(historyTable)));
                services.TryAddSingleton<IDbContextFactory<TContext>>(sp => new DerivedContextFactory<TContext, TSqlite>(sp.GetRequiredService<IDbContextFactory<TSqlite>>()));
                break;
        }

        services.AddHostedService<DatabaseMigrator<TContext>>();
        return services;
    }

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
