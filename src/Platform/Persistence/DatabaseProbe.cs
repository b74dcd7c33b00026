using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Pipeline.Platform.Messaging.Outages;
using Pipeline.Platform.Scheduling;

namespace Pipeline.Platform.Persistence;

/// <summary>
/// The database as a dependency messages wait for: a failure from a database driver (<see cref="DbException"/>)
/// may be its outage; it answers when a connection on the scheduler's context (every context shares the connection
/// string) runs <c>SELECT 1</c>, bypassing EF's retrying execution strategy so one probe takes at most <see cref="Timeout"/>.
/// </summary>
internal sealed class DatabaseProbe(IDbContextFactory<SchedulerDbContext> contexts) : IDependencyProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public string Dependency => "database";

    public bool MayHaveCaused(Exception exception) => ExceptionChain.Contains<DbException>(exception);

    public async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(deadline.Token);
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync(deadline.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(deadline.Token);
            return true;
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
