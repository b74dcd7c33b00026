using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.Platform.Scheduling;

/// <summary>
/// Sends scheduled messages when they fall due. Any number of instances may run: on PostgreSQL each batch is
/// claimed with <c>FOR UPDATE SKIP LOCKED</c>, so a due message is sent by one instance and deleted in the same
/// transaction. A crash between send and commit sends it again (at-least-once, like every delivery here).
/// </summary>
public sealed partial class ScheduledMessageDispatcher(
    IDbContextFactory<SchedulerDbContext> contextFactory,
    ISendEndpointProvider sendEndpoints,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<ScheduledMessageDispatcher> logger) : BackgroundService
{
    private readonly SchedulerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int sent;
            try
            {
                sent = await DispatchDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be restarting: log, wait, try again. Nothing is lost, rows stay until sent.
                LogPollFailed(logger, ex);
                sent = 0;
            }

            if (sent < _options.BatchSize)
            {
                await Task.Delay(_options.PollInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Sends one batch of due messages; returns how many were handled.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);

        // The retrying execution strategy (PostgreSQL) only allows user transactions inside its own ExecuteAsync.
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync((Db: db, Dispatcher: this), static (state, ct) => state.Dispatcher.DispatchDueInTransactionAsync(state.Db, ct), null, cancellationToken);
    }

    private async Task<int> DispatchDueInTransactionAsync(SchedulerDbContext db, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await ClaimDue(db, now, cancellationToken);
        foreach (var record in due)
        {
            try
            {
                await Send(record, cancellationToken);
                db.ScheduledMessages.Remove(record);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                record.Attempts++;
                record.LastError = Hosting.StartupException.Innermost(ex);
                record.DueAtUtc = now + TimeSpan.FromSeconds(Math.Min(60, 1 << Math.Min(record.Attempts, 6)));
                LogSendFailed(logger, record.TokenId, record.Destination, record.Attempts, ex);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    private Task<List<ScheduledMessageRecord>> ClaimDue(SchedulerDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            return db.ScheduledMessages
                .FromSql($"""SELECT * FROM scheduled_messages WHERE "DueAtUtc" <= {now} AND "Attempts" < {_options.MaxAttempts} ORDER BY "DueAtUtc" LIMIT {_options.BatchSize} FOR UPDATE SKIP LOCKED""")
                .ToListAsync(cancellationToken);
        }

        // SQLite serialises writers on the file: the open write transaction is the claim.
        return db.ScheduledMessages
            .Where(x => x.DueAtUtc <= now && x.Attempts < _options.MaxAttempts)
            .OrderBy(x => x.DueAtUtc)
            .Take(_options.BatchSize)
            .ToListAsync(cancellationToken);
    }

    private async Task Send(ScheduledMessageRecord record, CancellationToken cancellationToken)
    {
        var type = Type.GetType(record.MessageType, throwOnError: false)
            ?? throw new InvalidOperationException($"Message type '{record.MessageType}' is not known to this process.");
        var message = JsonSerializer.Deserialize(record.Body, type, DurableScheduleMessageProvider.Json)
            ?? throw new InvalidOperationException("Scheduled message body is null.");
        using var dispatch = ScheduledHeaders.StartDispatch(record.Headers, record.Destination);
        var endpoint = await sendEndpoints.GetSendEndpoint(new Uri(record.Destination));
        var tokenId = record.TokenId;
        var headers = record.Headers;
        await endpoint.Send(message, type, Pipe.Execute<SendContext>(ctx =>
        {
            ScheduledHeaders.Apply(headers, ctx);
            ctx.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("N"));
        }), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling scheduled messages failed; will retry")]
    private static partial void LogPollFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending scheduled message {TokenId} to {Destination} failed (attempt {Attempts})")]
    private static partial void LogSendFailed(ILogger logger, Guid tokenId, string destination, int attempts, Exception ex);
}
