using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Ingest.Registry;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Text;
using Pipeline.Ingest.Spec;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Ingest;

/// <summary>
/// Answers <see cref="ValidateDataset"/>: checks the spec's bounds, downloads the file once (hashing it on the
/// way), applies every validation rule in one streaming pass, registers the content in the dataset registry
/// (stored once per content hash) and returns <see cref="DatasetAccepted"/>; or returns
/// <see cref="DatasetRejected"/> with a reason naming file, line and column, after moving the file to the rejected
/// prefix (kept, with the reason in its metadata). Bad data never throws out of here; only infrastructure
/// failures do (and are retried).
/// </summary>
public sealed partial class DatasetValidator(
    IDbContextFactory<IngestDbContext> databases,
    IArtifactStore store,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<DatasetValidator> logger)
{
    /// <summary>Returns a <see cref="DatasetAccepted"/> or a <see cref="DatasetRejected"/>.</summary>
    public async Task<object> ValidateAsync(ValidateDataset request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = options.Value;
        var source = request.Source;
        ObjectVersionRecord? version;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            version = await db.ObjectVersions.AsNoTracking().FirstOrDefaultAsync(x => x.JobId == request.JobId, cancellationToken);
        }

        if (version?.RejectedReason is { } earlier)
        {
            // A redelivered request: same answer, and the file has already been moved.
            return new DatasetRejected { JobId = request.JobId, Source = source with { Key = version.RejectedKey ?? source.Key }, Reason = earlier };
        }

        if (version?.SpecError is { } specError)
        {
            return await RejectAsync(request, version, $"{source.Key}: {specError}", cancellationToken);
        }

        var bounds = TrainingSettingsBounds.Check(request.Spec.Training);
        if (bounds.Count > 0)
        {
            return await RejectAsync(request, version, $"{source.Key}: job settings out of range: {string.Join(" ", bounds)}", cancellationToken);
        }

        var info = await store.StatAsync(source.Bucket, source.Key, cancellationToken);
        if (info is null)
        {
            return await RejectAsync(request, version, $"{source}: the object does not exist (deleted, moved, or never uploaded).", cancellationToken);
        }

        if (info.Size > o.MaxFileBytes)
        {
            // Checked before downloading: a 100 GB upload is refused without copying it first.
            return await RejectAsync(request, version, $"{source.Key}: the file is larger than the limit of {o.MaxFileBytes} bytes (setting Pipeline:Ingest:MaxFileBytes).", cancellationToken);
        }

        var work = o.WorkFolder is { Length: > 0 } folder ? folder : Path.GetTempPath();
        Directory.CreateDirectory(work);
        var local = Path.Combine(work, $"ingest-{request.JobId:N}-{Guid.NewGuid():N}.data"); // duplicates may run at once
        try
        {
            var (sha256, size) = await DownloadAsync(source, local, cancellationToken);
            if (source.Sha256.Length > 0 && !string.Equals(source.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
            {
                return await RejectAsync(request, version, $"{source.Key}: the content changed since the job was submitted (SHA-256 {sha256}, expected {source.Sha256}).", cancellationToken);
            }

            DatasetScan scan;
            try
            {
                using var csv = CsvSource.OpenFile(local, o.Limits, source.Key);
                scan = DatasetScanner.Scan(csv, request.Spec, o.Scan);
            }
            catch (DatasetValidationException ex)
            {
                return await RejectAsync(request, version, ex.Message, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The file is local: whatever else the parser throws will not go away by retrying, and the job
                // must end with a reason rather than wait in an error queue.
                LogUnexpected(logger, request.JobId, ex);
                return await RejectAsync(request, version, $"{source.Key}: the file could not be read as CSV or Parquet ({SafeText.Echo(ex.Message)}).", cancellationToken);
            }

            // The hidden layers on every feature column: a wide file with wide layers is refused before it is stored.
            if (ModelSize.Check(scan.ResolvedSpec.Training, scan.Columns.Count - 1, o.MaxParameters) is { } tooLarge)
            {
                return await RejectAsync(request, version, $"{source.Key}: {tooLarge}", cancellationToken);
            }

            var dataset = await RegisterAsync(source, info.ETag, local, sha256, size, scan, cancellationToken);

            // Written on every acceptance (same bytes and settings give the same file): a data set registered before
            // schemas were stored gets one too, and Preprocess reads the kinds from it instead of inferring them again.
            var schema = DatasetSchema.From(scan, o.Limits);
            await store.PutBytesAsync(dataset.Bucket, DatasetSchema.KeyFor(dataset.DatasetId), Encoding.UTF8.GetBytes(schema.ToJson()), cancellationToken: cancellationToken);
            LogAccepted(logger, request.JobId, SafeText.Echo(source.ToString()), dataset.DatasetId, scan.Rows);
            return new DatasetAccepted
            {
                JobId = request.JobId,
                DatasetId = dataset.DatasetId,
                Dataset = new ObjectRef(dataset.Bucket, dataset.Key, dataset.Sha256, dataset.Size),
                Columns = scan.Columns.Select(c => c.Name).ToList(),
                Rows = scan.Rows,
                ResolvedSpec = scan.ResolvedSpec,
            };
        }
        finally
        {
            File.Delete(local);
        }
    }

    private async Task<(string Sha256, long Size)> DownloadAsync(ObjectRef source, string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var input = await store.OpenReadAsync(source.Bucket, source.Key, cancellationToken);
        await using (input)
        {
            await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            var buffer = new byte[1 << 20];
            long size = 0;
            int n;
            while ((n = await input.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                IngestMetrics.Read(n);
                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                size += n;
            }

            return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
    }

    /// <summary>The registry entry of this content, storing the content only when it is new.</summary>
    private async Task<DatasetRecord> RegisterAsync(ObjectRef source, string? etag, string local, string sha256, long size, DatasetScan scan, CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var known = await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Sha256 == sha256, cancellationToken);
            if (known is not null)
            {
                LogKnownContent(logger, SafeText.Echo(source.ToString()), known.DatasetId);
                return known;
            }
        }

        var o = options.Value;
        var id = DatasetRecord.IdFor(sha256);
        var key = scan.Format == DataFileFormat.Parquet ? $"{id}/data.parquet" : $"{id}/data.csv{(scan.Compressed ? ".gz" : string.Empty)}";
        await store.EnsureBucketAsync(o.DatasetsBucket, cancellationToken);
        var file = File.OpenRead(local);
        ObjectRef stored;
        await using (file)
        {
            stored = await store.PutWithHashAsync(o.DatasetsBucket, key, file, cancellationToken: cancellationToken);
        }

        var record = new DatasetRecord
        {
            DatasetId = id,
            Sha256 = stored.Sha256,
            Bucket = stored.Bucket,
            Key = stored.Key,
            Size = size,
            Rows = scan.Rows,
            SchemaJson = JsonSerializer.Serialize(scan.Columns),
            Compressed = scan.Compressed,
            SourceBucket = source.Bucket,
            SourceKey = source.Key,
            SourceETag = etag,
            CreatedAt = time.GetUtcNow(),
        };
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.Datasets.Add(record);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return record;
            }
            catch (DbUpdateException)
            {
                // The same content registered by another job at the same moment (same key, same bytes): use theirs.
            }
        }

        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            return await db.Datasets.AsNoTracking().FirstAsync(d => d.Sha256 == sha256, cancellationToken);
        }
    }

    private async Task<DatasetRejected> RejectAsync(ValidateDataset request, ObjectVersionRecord? version, string reason, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var source = request.Source;
        var keptAt = source;
        if (source.Bucket == o.Bucket && !source.Key.StartsWith(o.RejectedPrefix, StringComparison.Ordinal))
        {
            keptAt = await MoveToRejectedAsync(source, reason, request.JobId, cancellationToken) ?? source;
        }

        if (version is not null)
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            await db.ObjectVersions
                .Where(x => x.Bucket == version.Bucket && x.Key == version.Key && x.ETag == version.ETag && x.SpecHash == version.SpecHash)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RejectedReason, reason).SetProperty(x => x.RejectedKey, keptAt.Key), cancellationToken);
        }

        LogRejected(logger, request.JobId, SafeText.Echo(reason, DatasetValidationException.MaxMessageLength));
        return new DatasetRejected { JobId = request.JobId, Source = keptAt, Reason = reason };
    }

    /// <summary>Copies the file under the rejected prefix with the reason as metadata, then removes the original (if unchanged).</summary>
    private async Task<ObjectRef?> MoveToRejectedAsync(ObjectRef source, string reason, Guid jobId, CancellationToken cancellationToken)
    {
        var before = await store.StatAsync(source.Bucket, source.Key, cancellationToken);
        if (before is null)
        {
            return null;
        }

        // The quarantine is write-once: a later rejection of the same key goes beside the first, under its job id.
        var target = options.Value.RejectedPrefix + source.Key;
        if (await store.StatAsync(source.Bucket, target, cancellationToken) is { } earlier && earlier.Metadata.GetValueOrDefault("job-id") != jobId.ToString())
        {
            target = $"{options.Value.RejectedPrefix}{jobId:N}/{source.Key}";
        }

        var metadata = new Dictionary<string, string>
        {
            ["rejected-reason"] = MetadataText(reason, 1500),
            ["job-id"] = jobId.ToString(),
        };
        ObjectRef moved;
        var input = await store.OpenReadAsync(source.Bucket, source.Key, cancellationToken);
        await using (input)
        {
            moved = await store.PutWithHashAsync(source.Bucket, target, input, metadata, cancellationToken);
        }

        // Do not delete a newer upload that arrived meanwhile under the same key: it is another version, another job.
        var after = await store.StatAsync(source.Bucket, source.Key, cancellationToken);
        if (after is not null && after.ETag == before.ETag)
        {
            await store.DeleteAsync(source.Bucket, source.Key, cancellationToken);
        }

        return moved;
    }

    /// <summary>S3 metadata is printable ASCII without surrounding blanks.</summary>
    internal static string MetadataText(string text, int max)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (builder.Length == max)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return builder.ToString().Trim();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: unexpected error while reading the data file")]
    private static partial void LogUnexpected(ILogger logger, Guid jobId, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: {Source} accepted as {DatasetId} ({Rows} rows)")]
    private static partial void LogAccepted(ILogger logger, Guid jobId, string source, string datasetId, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Source} has the content of the registered data set {DatasetId}; not stored again")]
    private static partial void LogKnownContent(ILogger logger, string source, string datasetId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, Guid jobId, string reason);
}
