using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Pipeline.Platform.Persistence;
using Pipeline.Platform.Scheduling;
using Pipeline.Platform.Security;

namespace Pipeline.Platform.Tests;

/// <summary>
/// The idempotent SQL scripts (tools/migration-scripts.sh, made from the design-time factories) must record their
/// migrations in the history table the services read at start-up; otherwise a service started after a DBA ran the
/// script would run every migration again and fail on tables that exist.
/// </summary>
public sealed class MigrationScriptTests
{
    [Fact]
    public void Scripts_from_the_design_time_factories_use_the_services_history_tables()
    {
        AssertHistoryTable(new PostgresSchedulerDesignFactory().CreateDbContext([]), DatabaseRegistration.HistoryTable<SchedulerDbContext>());
        AssertHistoryTable(new PostgresSecurityDesignFactory().CreateDbContext([]), DatabaseRegistration.HistoryTable<SecurityDbContext>());
    }

    private static void AssertHistoryTable(DbContext context, string table)
    {
        using (context)
        {
            var script = context.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
            Assert.Contains(table, script, StringComparison.Ordinal);
            Assert.DoesNotContain("__EFMigrationsHistory", script, StringComparison.Ordinal);
        }
    }
}
