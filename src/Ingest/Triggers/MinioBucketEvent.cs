using System.Text.Json.Serialization;

namespace Pipeline.Ingest.Triggers;

/// <summary>
/// The JSON body MinIO publishes to AMQP for a bucket notification (format "namespace"/"access" alike):
/// <c>{"EventName": "s3:ObjectCreated:Put", "Key": "bucket/object", "Records": [S3 event record]}</c>.
/// Only the fields Ingest needs are mapped; MinIO's own shape, not one of our contracts.
/// </summary>
public sealed record MinioBucketEvent
{
    public string? EventName { get; init; }

    public string? Key { get; init; }

    public IReadOnlyList<MinioEventRecord>? Records { get; init; }
}

public sealed record MinioEventRecord
{
    public string? EventName { get; init; }

    [JsonPropertyName("s3")]
    public MinioS3Entity? S3 { get; init; }
}

public sealed record MinioS3Entity
{
    public MinioBucketEntity? Bucket { get; init; }

    public MinioObjectEntity? Object { get; init; }
}

public sealed record MinioBucketEntity
{
    public string? Name { get; init; }
}

public sealed record MinioObjectEntity
{
    /// <summary>URL-encoded object key (spaces as '+').</summary>
    public string? Key { get; init; }

    public long Size { get; init; }

    [JsonPropertyName("eTag")]
    public string? ETag { get; init; }

    public string? VersionId { get; init; }

    public string? Sequencer { get; init; }

    public Dictionary<string, string>? UserMetadata { get; init; }

    /// <summary>The key as stored: MinIO URL-encodes it in events (query escaping, so '+' is a space).</summary>
    public string? DecodedKey => Key is null ? null : Uri.UnescapeDataString(Key.Replace('+', ' '));
}
