using MassTransit;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Ingest.Triggers;
using Pipeline.Platform.Artifacts;

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
        spec ??= new JobSpec();
        var bucket = options.Value.Bucket;
        key ??= options.Value.Prefix + Path.GetFileName(path);
        await store.EnsureBucketAsync(bucket, cancellationToken);
        ObjectRef source;
        var file = File.OpenRead(path);
        await using (file)
        {
            source = await store.PutWithHashAsync(bucket, key, file, JobSpecMetadata.ToMetadata(spec), cancellationToken);
        }

        var info = await store.StatAsync(bucket, key, cancellationToken)
            ?? throw new IOException($"{bucket}/{key} disappeared right after upload.");
        var jobId = JobIds.ForObjectVersion(bucket, key, info.ETag ?? string.Empty);
        var endpoint = await sendEndpoints.GetSendEndpoint(new Uri(SubmitQueue));
        await endpoint.Send(new SubmitTrainingJob { JobId = jobId, Source = source, Spec = spec }, cancellationToken);
        return new SubmittedFile(jobId, source);
    }
}
