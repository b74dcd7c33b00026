using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pipeline.Platform.Scheduling;

namespace Pipeline.Platform.Persistence;

// Used only by `dotnet ef migrations add` to build the model per provider; never at run time. The connection
// strings are placeholders: generating a migration does not connect.
internal sealed class PostgresSchedulerDesignFactory : IDesignTimeDbContextFactory<PostgresSchedulerDbContext>
{
    public PostgresSchedulerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSchedulerDbContext>().UseNpgsql("Host=design-time", o => o.MigrationsHistoryTable(DatabaseRegistration.HistoryTable<SchedulerDbContext>())).Options);
}

internal sealed class SqliteSchedulerDesignFactory : IDesignTimeDbContextFactory<SqliteSchedulerDbContext>
{
    public SqliteSchedulerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSchedulerDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresSecurityDesignFactory : IDesignTimeDbContextFactory<Security.PostgresSecurityDbContext>
{
    public Security.PostgresSecurityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<Security.PostgresSecurityDbContext>().UseNpgsql("Host=design-time", o => o.MigrationsHistoryTable(DatabaseRegistration.HistoryTable<Security.SecurityDbContext>())).Options);
}

internal sealed class SqliteSecurityDesignFactory : IDesignTimeDbContextFactory<Security.SqliteSecurityDbContext>
{
    public Security.SqliteSecurityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<Security.SqliteSecurityDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
