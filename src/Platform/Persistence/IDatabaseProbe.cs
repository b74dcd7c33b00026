using Microsoft.EntityFrameworkCore;
using Pipeline.Platform.Scheduling;

namespace Pipeline.Platform.Persistence;

/// <summary>Whether the database answers a query now.</summary>
public interface IDatabaseProbe
{
    Task<bool> AnswersAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Opens a connection on the scheduler's context (every context shares the connection string) and runs
/// <c>SELECT 1</c>, bypassing EF's retrying execution strategy so one probe takes at most <see cref="Timeout"/>.
/// </summary>
internal sealed class SchedulerDatabaseProbe(IDbContextFactory<SchedulerDbContext> contexts) : IDatabaseProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

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
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
