using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Ingest.Triggers;

namespace Pipeline.Ingest.Consumers;

/// <summary>
/// Consumes MinIO bucket notifications (raw JSON, see <see cref="MinioBucketEvent"/>) from the queue bound to
/// MinIO's exchange; every created object in the ingest bucket goes through the same <see cref="ObjectTrigger"/>
/// as the listing, so a notification and a listing of the same upload make one job.
/// </summary>
public sealed class MinioEventConsumer(ObjectTrigger trigger, IOptions<IngestOptions> options) : IConsumer<MinioBucketEvent>
{
    public async Task Consume(ConsumeContext<MinioBucketEvent> context)
    {
        var o = options.Value;
        foreach (var record in context.Message.Records ?? [])
        {
            var eventName = record.EventName ?? context.Message.EventName ?? string.Empty;
            var bucket = record.S3?.Bucket?.Name;
            var key = record.S3?.Object?.DecodedKey;
            if (!eventName.StartsWith("s3:ObjectCreated:", StringComparison.Ordinal) || bucket != o.Bucket || key is null
                || !key.StartsWith(o.Prefix, StringComparison.Ordinal) || BucketWatcher.IsIgnored(key, o))
            {
                continue;
            }

            await trigger.TriggerAsync(bucket, key, "minio", cancellationToken: context.CancellationToken);
        }
    }
}

/// <summary>
/// The MinIO endpoint reads raw JSON (MinIO does not speak MassTransit's envelope) and, on RabbitMQ, is bound to
/// MinIO's exchange instead of to message-type exchanges.
/// </summary>
public sealed class MinioEventConsumerDefinition : ConsumerDefinition<MinioEventConsumer>
{
    private readonly IngestOptions _options;

    public MinioEventConsumerDefinition(IOptions<IngestOptions> options)
    {
        _options = options.Value;
        EndpointName = _options.MinioEndpoint;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<MinioEventConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
        endpointConfigurator.ConfigureConsumeTopology = false;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.Bind(_options.MinioExchange, b =>
            {
                b.ExchangeType = _options.MinioExchangeType;
                b.Durable = true;
                b.RoutingKey = _options.MinioRoutingKey;
            });
        }
    }
}
