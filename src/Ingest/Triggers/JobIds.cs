using System.Security.Cryptography;
using System.Text;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;

namespace Pipeline.Ingest.Triggers;

/// <summary>
/// Job ids derived from the object version and the resolved spec (RFC 4122 name-based UUID, version 5): whoever
/// sees an upload first — the listing, a MinIO notification, <c>pipeline submit</c> — computes the same JobId, so
/// duplicates collapse here and in the saga downstream; the same file submitted again with another target, model
/// name or setting is another job.
/// </summary>
public static class JobIds
{
    private static readonly Guid Namespace = new("6f1c7a52-3c1e-4b8e-9a57-1d2f0e4c9b31");

    /// <summary>The job of a version trained with <paramref name="spec"/>.</summary>
    public static Guid ForObjectVersion(string bucket, string key, string etag, JobSpec spec) =>
        ForObjectVersion(bucket, key, etag, SpecFingerprint(spec));

    public static Guid ForObjectVersion(string bucket, string key, string etag, string specFingerprint) =>
        NameBased(Namespace, specFingerprint.Length == 0
            ? $"{bucket}/{key}@{NormalizeETag(etag)}"
            : $"{bucket}/{key}@{NormalizeETag(etag)}#{specFingerprint}");

    /// <summary>
    /// SHA-256 (hex) of the spec as object metadata writes it, keys sorted: what the job does with the file. The
    /// submitter is not part of it (two people submitting the same file and settings share the job). The metadata
    /// form is the one a bucket listing reads back, so an upload and its listing agree.
    /// </summary>
    public static string SpecFingerprint(JobSpec spec)
    {
        var text = string.Join('\n', JobSpecMetadata.ToMetadata(spec).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>ETags come quoted from S3 listings and unquoted in MinIO events; compare them without quotes, lower case.</summary>
    public static string NormalizeETag(string? etag) => (etag ?? string.Empty).Trim().Trim('"').ToLowerInvariant();

    internal static Guid NameBased(Guid ns, string name)
    {
        Span<byte> input = stackalloc byte[16];
        ns.TryWriteBytes(input, bigEndian: true, out _);
        var data = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        input.CopyTo(data);
        Encoding.UTF8.GetBytes(name, data.AsSpan(16));
#pragma warning disable CA5350 // SHA-1 is what RFC 4122 version 5 specifies; this is an identifier, not security.
        var hash = SHA1.HashData(data);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
