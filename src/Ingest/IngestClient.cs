using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Ingest.Triggers;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Text;

namespace Pipeline.Ingest;

/// <summary>What <see cref="IngestClient.SubmitFileAsync"/> did.</summary>
public sealed record SubmittedFile(Guid JobId, ObjectRef Source);

/// <summary>
/// The library call behind <c>pipeline submit FILE</c>: uploads the file into the ingest bucket (the spec also
/// goes into its metadata) and sends <see cref="SubmitTrainingJob"/> to <c>queue:submit-training-job</c> with the
/// JobId derived from the uploaded version, so the listing and notifications that also see the upload name the
/// same job.
/// </summary>
public sealed class IngestClient(IArtifactStore store, ISendEndpointProvider sendEndpoints, IOptions<IngestOptions> options)
{
    public const string SubmitQueue = "queue:submit-training-job";

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
    /// the bucket is; the same bytes again are the same version (same ETag), so the same job. The quarantine is
    /// never written by a submit (the API refuses keys under the rejected prefix).
    /// </summary>
    public async Task<SubmittedFile> SubmitAsync(Stream content, string key, JobSpec? spec = null, CancellationToken cancellationToken = default)
    {
        spec ??= new JobSpec();
        var bucket = options.Value.Bucket;
        await store.EnsureBucketAsync(bucket, cancellationToken);
        var source = await store.PutWithHashAsync(bucket, key, content, JobSpecMetadata.ToMetadata(spec), cancellationToken);
        var info = await store.StatAsync(bucket, key, cancellationToken)
            ?? throw new IOException($"{bucket}/{key} disappeared right after upload.");
        var jobId = JobIds.ForObjectVersion(bucket, key, info.ETag ?? string.Empty);
        await SendAsync(jobId, source, spec, cancellationToken);
        return new SubmittedFile(jobId, source);
    }

    /// <summary>
    /// Submits an object already in the ingest bucket (uploaded by other means). Returns null when there is no such
    /// object. If a bucket trigger already saw this version, the job it started is the one returned.
    /// </summary>
    public async Task<SubmittedFile?> SubmitExistingAsync(string key, JobSpec? spec = null, CancellationToken cancellationToken = default)
    {
        var bucket = options.Value.Bucket;
        var info = await store.StatAsync(bucket, key, cancellationToken);
        if (info is null)
        {
            return null;
        }

        // The content hash is computed and checked by validation; the submit names the version by its ETag.
        var source = new ObjectRef(bucket, key, string.Empty, info.Size);
        var jobId = JobIds.ForObjectVersion(bucket, key, info.ETag ?? string.Empty);
        await SendAsync(jobId, source, spec ?? new JobSpec(), cancellationToken);
        return new SubmittedFile(jobId, source);
    }

    /// <summary>
    /// Sends the start message, bounded by <c>SubmitSendTimeout</c>: with the broker down a send waits for the
    /// connection for as long as it is let, and a client must not hang on it. The send is cancelled at the timeout,
    /// and not awaited past it even if it ignores the cancellation.
    /// </summary>
    private async Task SendAsync(Guid jobId, ObjectRef source, JobSpec spec, CancellationToken cancellationToken)
    {
        var timeout = options.Value.SubmitSendTimeout;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await SendUnboundedAsync(jobId, source, spec, bounded.Token).WaitAsync(timeout, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is TimeoutException or OperationCanceledException)
        {
            throw new BrokerUnavailableException(jobId, source, timeout, ex);
        }
    }

    private async Task SendUnboundedAsync(Guid jobId, ObjectRef source, JobSpec spec, CancellationToken cancellationToken)
    {
        var endpoint = await sendEndpoints.GetSendEndpoint(new Uri(SubmitQueue));
        await endpoint.Send(new SubmitTrainingJob { JobId = jobId, Source = source, Spec = spec }, cancellationToken);
    }
}

/// <summary>The broker did not take a submit's start message in time; the upload (if any) is stored.</summary>
public sealed class BrokerUnavailableException(Guid jobId, ObjectRef source, TimeSpan timeout, Exception inner)
    : Exception($"the message broker did not take job {jobId} within {timeout.TotalSeconds:0.#} s (setting Pipeline:Ingest:SubmitSendTimeout)", inner)
{
    public Guid JobId { get; } = jobId;

    public ObjectRef Stored { get; } = source;
}
