using System.Text.Json;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace Pipeline.Platform.Scheduling;

/// <summary>
/// Schedules messages by writing them to the database; <see cref="ScheduledMessageDispatcher"/> sends them when due.
/// Works with any transport and without RabbitMQ's delayed-message plugin, and survives restarts. Plain-valued
/// headers set by the caller's send pipe (a redelivery's count, its fault reason) are kept with the message; other
/// send settings are not, so scheduled messages carry what they need in their body.
/// </summary>
public sealed class DurableScheduleMessageProvider(IDbContextFactory<SchedulerDbContext> contextFactory, TimeProvider clock) : IScheduleMessageProvider
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class
    {
        var tokenId = NewId.NextGuid();
        var dueUtc = scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : DateTime.SpecifyKind(scheduledTime, DateTimeKind.Utc);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        db.ScheduledMessages.Add(new ScheduledMessageRecord
        {
            TokenId = tokenId,
            Destination = destinationAddress.ToString(),
            MessageType = message.GetType().AssemblyQualifiedName!,
            Body = JsonSerializer.Serialize(message, message.GetType(), Json),
            Headers = await ScheduledHeaders.CaptureAsync(message, pipe, cancellationToken),
            DueAtUtc = dueUtc,
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return new ScheduledMessageHandle<T>(tokenId, dueUtc, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    private async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await db.ScheduledMessages.Where(x => x.TokenId == tokenId).ExecuteDeleteAsync(cancellationToken);
    }
}
