namespace Pipeline.Ingest.Registry;

/// <summary>
/// A data set in the registry, identified by its content: the same bytes submitted twice (under any name) are one
/// data set, stored once.
/// </summary>
public sealed class DatasetRecord
{
    /// <summary><c>ds-</c> and the first 24 hex digits of the SHA-256.</summary>
    public required string DatasetId { get; set; }

    public required string Sha256 { get; set; }

    /// <summary>Where the content is stored (the datasets bucket).</summary>
    public required string Bucket { get; set; }

    public required string Key { get; set; }

    public long Size { get; set; }

    public long Rows { get; set; }

    /// <summary>Columns with their inferred kinds, missing counts and distinct counts (JSON).</summary>
    public required string SchemaJson { get; set; }

    public bool Compressed { get; set; }

    public required string SourceBucket { get; set; }

    public required string SourceKey { get; set; }

    public string? SourceETag { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public static string IdFor(string sha256) => "ds-" + sha256[..24];
}
