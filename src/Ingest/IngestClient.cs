using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Ingest.Triggers;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Text;

namespace Pipeline.Ingest;

/// <summary>What <see cref="IngestClient.SubmitFileAsync"/> did: the job id is the one the trigger stored.</summary>
public sealed record SubmittedFile(Guid JobId, ObjectRef Source);

/// <summary>
/// The library call behind <c>pipeline submit FILE</c> and <c>POST /api/jobs</c>: uploads the file into the ingest
/// bucket (the spec also goes into its metadata) and starts the job through <see cref="ObjectTrigger"/>, the same
/// code a bucket listing or notification runs, in one hop: the object version is recorded and
/// <see cref="JobSubmitted"/> published to the orchestrator. The job id returned is the stored one, so a listing
/// that also sees the upload names the same job.
/// </summary>
public sealed class IngestClient(IArtifactStore store, ObjectTrigger trigger, IOptions<IngestOptions> options)
{
    public async Task<SubmittedFile> SubmitFileAsync(string path, JobSpec? spec = null, string? key = null, CancellationToken cancellationToken = default)
    {
        var file = File.OpenRead(path);
        await using (file)
        {
            return await SubmitAsync(file, key ?? options.Value.Prefix + Path.GetFileName(path), spec, cancellationToken);
        }
    }

    /// <summary>
    /// Uploads <paramref name="content"/> (read once, forwards only: an HTTP body will do) as <paramref name="key"/> and
    /// submits it. A changed file under the same name is a new version of the object and so a new job, as a drop into
    /// the bucket is; the same bytes again with the same spec are the same job, and with another spec (target, model name, any setting) another job. The quarantine is
    /// never written by a submit (the API refuses keys under the rejected prefix).
    /// </summary>
    public async Task<SubmittedFile> SubmitAsync(Stream content, string key, JobSpec? spec = null, CancellationToken cancellationToken = default)
    {
        spec ??= new JobSpec();
        var bucket = options.Value.Bucket;
        await store.EnsureBucketAsync(bucket, cancellationToken);
        var source = await store.PutWithHashAsync(bucket, key, content, JobSpecMetadata.ToMetadata(spec), cancellationToken);
        return await StartAsync(source, spec, cancellationToken)
            ?? throw new IOException($"{bucket}/{key} disappeared right after upload.");
    }

    /// <summary>
    /// Submits an object already in the ingest bucket (uploaded by other means), or in <paramref name="bucket"/> (a
    /// retrain: the bucket the old job read, whatever the ingest bucket is now). Returns null when there is no such
    /// object. If a bucket trigger already saw this version, the job it started is the one returned.
    /// </summary>
    public async Task<SubmittedFile?> SubmitExistingAsync(string key, JobSpec? spec = null, CancellationToken cancellationToken = default, string? bucket = null)
    {
        // The content hash is computed and checked by validation; the trigger names the version by its ETag.
        var source = new ObjectRef(bucket ?? options.Value.Bucket, key, string.Empty, 0);
        return await StartAsync(source, spec ?? new JobSpec(), cancellationToken);
    }

    /// <summary>
    /// Records the object version and publishes the start, the publish bounded by <c>SubmitSendTimeout</c>: with the
    /// broker down a publish waits for the connection for as long as it is let, and a client must not hang on it.
    /// </summary>
    private async Task<SubmittedFile?> StartAsync(ObjectRef source, JobSpec spec, CancellationToken cancellationToken)
    {
        var started = await trigger.TriggerAsync(source.Bucket, source.Key, ObjectTrigger.SubmitTrigger, requestedSpec: spec,
            requestedSha256: source.Sha256.Length == 0 ? null : source.Sha256, publishTimeout: options.Value.SubmitSendTimeout,
            cancellationToken: cancellationToken);
        return started.Source is { } recorded ? new SubmittedFile(started.JobId, recorded) : null;
    }
}

/// <summary>The broker did not take a submit's start message in time; the upload (if any) is stored.</summary>
public sealed class BrokerUnavailableException(Guid jobId, ObjectRef source, TimeSpan timeout, Exception inner)
    : Exception($"the message broker did not take job {jobId} within {timeout.TotalSeconds:0.#} s (setting Pipeline:Ingest:SubmitSendTimeout)", inner)
{
    public Guid JobId { get; } = jobId;

    public ObjectRef Stored { get; } = source;
}
