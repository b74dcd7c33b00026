using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Ingest.Registry;
using Pipeline.Ingest.Spec;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Text;

namespace Pipeline.Ingest.Triggers;

public enum TriggerOutcome
{
    /// <summary>First sighting of this object version: a job was started.</summary>
    Started,

    /// <summary>Already seen (another trigger, a duplicate notification): nothing new started.</summary>
    Duplicate,

    /// <summary>Seen before but JobSubmitted had not gone out (crash in between): published now.</summary>
    Republished,

    /// <summary>The object is gone; nothing to do.</summary>
    Vanished,
}

/// <summary>The job of an object version and what the trigger did; <paramref name="Source"/> is the object as published.</summary>
public sealed record TriggerResult(Guid JobId, TriggerOutcome Outcome, ObjectRef? Source = null);

/// <summary>
/// The single entry point of every trigger (bucket listing, MinIO notification, the submit API and CLI,
/// SubmitTrainingJob): records the object version (bucket, key, ETag) under a unique key and publishes
/// <see cref="JobSubmitted"/> once for it. Crash-safe: the row is written before publishing and marked after; a row
/// found unmarked is published again with the same JobId, which the saga treats as the same job.
/// </summary>
public sealed partial class ObjectTrigger(
    IDbContextFactory<IngestDbContext> databases,
    IArtifactStore store,
    IPublishEndpoint publisher,
    TimeProvider time,
    ILogger<ObjectTrigger> logger)
{
    /// <summary>How long an unpublished row is taken to be in the hands of the trigger that wrote it.</summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(30);

    /// <summary>The trigger name of a user's submit (API, CLI, message).</summary>
    public const string SubmitTrigger = "submit";

    /// <param name="publishTimeout">
    /// When set, the publish is bounded by it and a broker that does not take the message in time ends the call with
    /// <see cref="BrokerUnavailableException"/> naming the stored job id (the row stays unpublished: the next trigger of
    /// the object publishes it).
    /// </param>
    public async Task<TriggerResult> TriggerAsync(string bucket, string key, string trigger, Guid? requestedJobId = null, JobSpec? requestedSpec = null, string? requestedSha256 = null, CancellationToken cancellationToken = default, TimeSpan? publishTimeout = null)
    {
        var info = await store.StatAsync(bucket, key, cancellationToken);
        string etag;
        var spec = requestedSpec;
        string? specError = null;
        if (info is null)
        {
            if (requestedJobId is null)
            {
                return new TriggerResult(Guid.Empty, TriggerOutcome.Vanished);
            }

            // A submit message naming a missing object still gets its job, which validation then fails with the reason.
            etag = "missing-" + requestedJobId.Value.ToString("N");
        }
        else
        {
            etag = JobIds.NormalizeETag(info.ETag);
            if (etag.Length == 0)
            {
                etag = $"size-{info.Size}-time-{info.LastModified.UtcTicks}";
            }

            if (spec is null)
            {
                var (parsed, errors) = JobSpecMetadata.Parse(info.Metadata);
                spec = parsed;
                specError = errors.Count > 0 ? "object metadata: " + string.Join(" ", errors) : null;
            }
        }

        spec ??= new JobSpec();
        var specHash = JobIds.SpecFingerprint(spec);
        var jobId = requestedJobId ?? JobIds.ForObjectVersion(bucket, key, etag, specHash);
        var (record, inserted) = await InsertOrGetAsync(new ObjectVersionRecord
        {
            Bucket = bucket,
            Key = key,
            ETag = etag,
            SpecHash = specHash,
            JobId = jobId,
            Trigger = trigger,
            Size = info?.Size ?? 0,
            SpecJson = JsonSerializer.Serialize(spec),
            SpecError = specError,
            CreatedAt = time.GetUtcNow(),
        }, cancellationToken);

        if (!inserted && record.JobId != jobId)
        {
            LogDuplicateSubmit(logger, jobId, bucket, SafeText.Echo(key), record.JobId);
        }

        // The hash is known only when the submitter computed it; validation computes and checks it.
        var source = new ObjectRef(bucket, key, requestedSha256 ?? string.Empty, record.Size);

        // Published, or being published right now by the trigger that inserted it (a duplicate notification
        // arriving at the same moment). Only a row left unpublished for longer is a crash to complete. A user's
        // submit publishes an unpublished row at once: it may be their own earlier try that the broker did not take,
        // and a second JobSubmitted with the same id is the same job to the saga.
        if (record.PublishedAt is not null || (!inserted && trigger != SubmitTrigger && time.GetUtcNow() - record.CreatedAt < InFlightGrace))
        {
            return new TriggerResult(record.JobId, TriggerOutcome.Duplicate, source);
        }

        var submitted = new JobSubmitted
        {
            JobId = record.JobId,
            Source = source,
            Spec = JsonSerializer.Deserialize<JobSpec>(record.SpecJson) ?? new JobSpec(),
            SubmittedAt = record.CreatedAt,
        };
        if (publishTimeout is { } timeout)
        {
            await PublishBoundedAsync(submitted, timeout, cancellationToken);
        }
        else
        {
            await publisher.Publish(submitted, cancellationToken);
        }

        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var now = time.GetUtcNow();
            await db.ObjectVersions
                .Where(x => x.Bucket == bucket && x.Key == key && x.ETag == record.ETag && x.SpecHash == record.SpecHash && x.PublishedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.PublishedAt, now), cancellationToken);
        }

        LogJobSubmitted(logger, record.JobId, bucket, SafeText.Echo(key), SafeText.Echo(record.ETag), trigger);
        return new TriggerResult(record.JobId, inserted ? TriggerOutcome.Started : TriggerOutcome.Republished, source);
    }

    /// <summary>
    /// Publishes, cancelled at <paramref name="timeout"/> and not awaited past it even if the transport ignores the
    /// cancellation: with the broker down a publish waits for the connection for as long as it is let.
    /// </summary>
    private async Task PublishBoundedAsync(JobSubmitted submitted, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await publisher.Publish(submitted, bounded.Token).WaitAsync(timeout, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is TimeoutException or OperationCanceledException)
        {
            throw new BrokerUnavailableException(submitted.JobId, submitted.Source, timeout, ex);
        }
    }

    private async Task<(ObjectVersionRecord Record, bool Inserted)> InsertOrGetAsync(ObjectVersionRecord candidate, CancellationToken cancellationToken)
    {
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var existing = await db.ObjectVersions.AsNoTracking()
                .FirstOrDefaultAsync(SameVersionAndSpec(candidate), cancellationToken);
            if (existing is not null)
            {
                return (existing, false);
            }

            db.ObjectVersions.Add(candidate);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (candidate, true);
            }
            catch (DbUpdateException)
            {
                // Another trigger inserted the same version at the same moment: theirs is the job.
            }
        }

        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var winner = await db.ObjectVersions.AsNoTracking()
                .FirstOrDefaultAsync(SameVersionAndSpec(candidate), cancellationToken);
            return winner is not null
                ? (winner, false)
                : throw new InvalidOperationException($"Job {candidate.JobId} is already used for another object than {candidate.Bucket}/{candidate.Key}.");
        }
    }

    /// <summary>The row of this version and spec, or a row recorded before specs were told apart (it stands for any spec).</summary>
    private static System.Linq.Expressions.Expression<Func<ObjectVersionRecord, bool>> SameVersionAndSpec(ObjectVersionRecord candidate) =>
        x => x.Bucket == candidate.Bucket && x.Key == candidate.Key && x.ETag == candidate.ETag && (x.SpecHash == candidate.SpecHash || x.SpecHash == "");

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} submitted for {Bucket}/{Key} (ETag {ETag}, seen by {Trigger})")]
    private static partial void LogJobSubmitted(ILogger logger, Guid jobId, string bucket, string key, string etag, string trigger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SubmitTrainingJob {JobId} for {Bucket}/{Key} is a duplicate: this object version already has job {ExistingJobId}")]
    private static partial void LogDuplicateSubmit(ILogger logger, Guid jobId, string bucket, string key, Guid existingJobId);
}
