namespace Pipeline.Ingest.Registry;

/// <summary>
/// One object version and job spec seen by any trigger. The primary key (bucket, key, ETag, spec hash) is what makes
/// "one job per object version and spec" hold when the listing, a notification and a submit message all see the same upload, or when the
/// service restarts half-way: the second insert fails on the key and the existing job is used.
/// </summary>
public sealed class ObjectVersionRecord
{
    public required string Bucket { get; set; }
    public required string Key { get; set; }

    /// <summary>Normalised ETag (no quotes, lower case); identifies the content version of the key.</summary>
    public required string ETag { get; set; }

    /// <summary>
    /// <see cref="Triggers.JobIds.SpecFingerprint"/> of the spec: the same version with another spec is another job.
    /// Empty on rows recorded before the spec was part of the identity; such a row stands for any spec.
    /// </summary>
    public string SpecHash { get; set; } = "";

    public required Guid JobId { get; set; }

    /// <summary>listing, minio or submit: which trigger saw it first.</summary>
    public required string Trigger { get; set; }

    public long Size { get; set; }

    /// <summary>The job spec as JSON (from the submit message or the object's metadata).</summary>
    public required string SpecJson { get; set; }

    /// <summary>Metadata values that could not be read; the job is rejected with them at validation.</summary>
    public string? SpecError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set once JobSubmitted is published; null after a crash in between, so the next trigger publishes it.</summary>
    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>Set when validation rejected the file, so a redelivered ValidateDataset gives the same answer.</summary>
    public string? RejectedReason { get; set; }

    /// <summary>Where the rejected file is kept now.</summary>
    public string? RejectedKey { get; set; }
}
