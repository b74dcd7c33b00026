using System.Text;
using Pipeline.Ingest.Tests.Support;
using Pipeline.Platform.IntegrationTests;
using RabbitMQ.Client;

namespace Pipeline.Ingest.IntegrationTests;

/// <summary>
/// One scenario on the local stack: its own PostgreSQL database, buckets, queues (prefixed, deleted at the end
/// through the management API) and MinIO exchange, so scenarios and other people's tests on the same broker do
/// not see each other's work.
/// </summary>
public sealed class IngestStack : IAsyncDisposable
{
    private readonly TempDatabase _database;

    private IngestStack(TempDatabase database, Dictionary<string, string?> settings, string id)
    {
        _database = database;
        Settings = settings;
        Id = id;
    }

    public Dictionary<string, string?> Settings { get; }

    public string Id { get; }

    public string QueuePrefix => $"t{Id}-";

    public IngestTestHost? Host { get; private set; }

    public static async Task<IngestStack> CreateAsync(TimeSpan pollInterval)
    {
        var settings = LocalStack.Settings();
        var id = Guid.NewGuid().ToString("N")[..10];
        var database = await TempDatabase.CreateAsync(settings["Pipeline:Database:ConnectionString"]!);
        settings["Pipeline:Transport"] = "rabbitmq";
        settings["Pipeline:Database:Provider"] = "postgres";
        settings["Pipeline:Database:ConnectionString"] = database.ConnectionString;
        settings["Pipeline:Ingest:Bucket"] = $"ingest-{id}";
        settings["Pipeline:Ingest:DatasetsBucket"] = $"datasets-{id}";
        settings["Pipeline:Preprocess:Bucket"] = $"jobs-{id}";
        settings["Pipeline:Ingest:PollInterval"] = pollInterval.ToString("c");
        settings["Pipeline:Ingest:MinioExchange"] = $"minio-events-{id}";
        settings["Pipeline:Ingest:MinioEndpoint"] = $"t{id}-ingest-minio-events";
        settings["Pipeline:Bus:RetryLimit"] = "2";
        settings["Pipeline:Bus:RetryMinInterval"] = "00:00:00.200";
        settings["Pipeline:Bus:RetryMaxInterval"] = "00:00:01";
        return new IngestStack(database, settings, id);
    }

    public async Task<IngestTestHost> StartAsync()
    {
        Host = await IngestTestHost.StartAsync(Settings, QueuePrefix);
        return Host;
    }

    /// <summary>Publishes a notification shaped like MinIO's AMQP target does, to the exchange MinIO would use.</summary>
    public async Task PublishMinioEventAsync(string bucket, string key, string etag, long size)
    {
        var factory = new ConnectionFactory
        {
            HostName = Settings["Pipeline:RabbitMq:Host"]!,
            Port = int.Parse(Settings.GetValueOrDefault("Pipeline:RabbitMq:Port") ?? "5672", System.Globalization.CultureInfo.InvariantCulture),
            VirtualHost = Settings.GetValueOrDefault("Pipeline:RabbitMq:VirtualHost") ?? "/",
            UserName = Settings["Pipeline:RabbitMq:Username"]!,
            Password = Settings["Pipeline:RabbitMq:Password"]!,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var body = Encoding.UTF8.GetBytes(MinioEventJson(bucket, key, etag, size));
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync(Settings["Pipeline:Ingest:MinioExchange"]!, string.Empty, mandatory: false, properties, body);
    }

    /// <summary>A MinIO "s3:ObjectCreated:Put" event as its AMQP target sends it (key URL-encoded).</summary>
    public static string MinioEventJson(string bucket, string key, string etag, long size) => """
        {"EventName":"s3:ObjectCreated:Put","Key":"BUCKET/RAWKEY","Records":[{"eventVersion":"2.0","eventSource":"minio:s3",
        "awsRegion":"","eventTime":"2026-11-28T23:00:00.000Z","eventName":"s3:ObjectCreated:Put","userIdentity":{"principalId":"minio"},
        "requestParameters":{"sourceIPAddress":"127.0.0.1"},"responseElements":{"x-amz-request-id":"17A2B3C4D5E6F708"},
        "s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"BUCKET","ownerIdentity":{"principalId":"minio"},"arn":"arn:aws:s3:::BUCKET"},
        "object":{"key":"ESCAPEDKEY","size":SIZE,"eTag":"ETAG","contentType":"text/csv","userMetadata":{"content-type":"text/csv"},"sequencer":"17A2B3C4D5E6F709"}},
        "source":{"host":"127.0.0.1","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.66"}}]}
        """
        .Replace("BUCKET", bucket, StringComparison.Ordinal)
        .Replace("RAWKEY", key, StringComparison.Ordinal)
        .Replace("ESCAPEDKEY", Uri.EscapeDataString(key), StringComparison.Ordinal)
        .Replace("SIZE", size.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("ETAG", etag, StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await _database.DisposeAsync();
        try
        {
            await DeleteQueuesAsync();
        }
        catch (HttpRequestException)
        {
            // Clean-up is best effort: a management API that is down must not fail a test that passed.
        }
    }

    private async Task DeleteQueuesAsync()
    {
        var vhost = Uri.EscapeDataString(Settings.GetValueOrDefault("Pipeline:RabbitMq:VirtualHost") ?? "/");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Settings["Pipeline:RabbitMq:Username"]}:{Settings["Pipeline:RabbitMq:Password"]}"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{Settings["Pipeline:RabbitMq:Host"]}:{Settings.GetValueOrDefault("Pipeline:RabbitMq:ManagementPort") ?? "15672"}/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", auth);
        using var queues = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri($"api/queues/{vhost}?columns=name", UriKind.Relative)));
        foreach (var queue in queues.RootElement.EnumerateArray())
        {
            var name = queue.GetProperty("name").GetString()!;
            if (name.StartsWith(QueuePrefix, StringComparison.Ordinal))
            {
                using var _ = await http.DeleteAsync(new Uri($"api/queues/{vhost}/{Uri.EscapeDataString(name)}", UriKind.Relative));
            }
        }

        using var __ = await http.DeleteAsync(new Uri($"api/exchanges/{vhost}/{Uri.EscapeDataString(Settings["Pipeline:Ingest:MinioExchange"]!)}", UriKind.Relative));
    }
}
