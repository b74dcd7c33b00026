using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Text;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;

namespace Pipeline.Preprocess;

/// <summary>
/// Queue <c>preprocess-dataset</c>: downloads the data set (verified against its SHA-256), runs the
/// <see cref="Preprocessor"/> and uploads shards, splits, transform and profile to
/// <c>{Pipeline:Preprocess:Bucket}/</c><see cref="JobArtifactKeys.Prep"/>, then publishes <see cref="DatasetPreprocessed"/>. Data
/// problems publish <see cref="PreprocessingFailed"/> with the reason; infrastructure failures throw and are
/// retried. Outputs are deterministic (seeded), so a redelivered request rewrites the same objects.
/// </summary>
public sealed partial class PreprocessDatasetConsumer(
    IArtifactStore store,
    IOptions<PreprocessOptions> options,
    RunningJobs running,
    ILogger<PreprocessDatasetConsumer> logger) : IConsumer<PreprocessDataset>
{
    public async Task Consume(ConsumeContext<PreprocessDataset> context)
    {
        var message = context.Message;
        using var run = running.Start(message.JobId, context.CancellationToken);
        try
        {
            await PreprocessAsync(context, run.Token);
        }
        catch (OperationCanceledException) when (run.JobCancelled(context.CancellationToken))
        {
            // The saga has ended the job already; nothing to publish and nothing to retry.
            LogCancelled(logger, message.JobId);
        }
    }

    private async Task PreprocessAsync(ConsumeContext<PreprocessDataset> context, CancellationToken cancellationToken)
    {
        var message = context.Message;
        var o = options.Value;
        var work = Path.Combine(o.WorkFolder is { Length: > 0 } folder ? folder : Path.GetTempPath(), $"prep-{message.JobId:N}-{Guid.NewGuid():N}"); // a redelivered duplicate may run at the same time
        Directory.CreateDirectory(work);
        try
        {
            var input = Path.Combine(work, "data");
            PreprocessResult result;
            await DownloadVerifiedAsync(message.Dataset, input, cancellationToken);
            var schema = DatasetSchema.FromJson(System.Text.Encoding.UTF8.GetString(await store.ReadAllBytesAsync(message.Dataset.Bucket, DatasetSchema.KeyFor(message.DatasetId), cancellationToken)));
            try
            {
                var preprocessor = new Preprocessor(o, schema);
                var name = message.Dataset.Key;
                result = await Task.Run(() => preprocessor.Run(input, name, message.Spec, Path.Combine(work, "out"), cancellationToken), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Everything here works on local files: a failure is about the data (or a bug), not transient, so
                // the job gets a reason instead of retries and an error queue.
                var reason = ex is DatasetValidationException ? ex.Message : $"{SafeText.Echo(message.Dataset.Key)}: preprocessing failed ({ex.GetType().Name}: {SafeText.Echo(ex.Message)}).";
                LogFailed(logger, message.JobId, SafeText.Echo(reason, DatasetValidationException.MaxMessageLength));
                await context.Publish(new PreprocessingFailed { JobId = message.JobId, Reason = reason }, cancellationToken);
                return;
            }

            await store.EnsureBucketAsync(o.Bucket, cancellationToken);
            var shards = new List<ShardInfo>();
            for (var i = 0; i < result.ShardPaths.Count; i++)
            {
                var reference = await UploadAsync(o.Bucket, JobArtifactKeys.Prep(message.JobId, Path.GetFileName(result.ShardPaths[i])), result.ShardPaths[i], cancellationToken);
                shards.Add(new ShardInfo(i, reference, result.Profile.ShardRows[i]));
            }

            var published = new DatasetPreprocessed
            {
                JobId = message.JobId,
                Shards = shards,
                Validation = await UploadAsync(o.Bucket, JobArtifactKeys.Prep(message.JobId, "validation.bin"), result.ValidationPath, cancellationToken),
                Test = await UploadAsync(o.Bucket, JobArtifactKeys.Prep(message.JobId, "test.bin"), result.TestPath, cancellationToken),
                Transform = await UploadAsync(o.Bucket, JobArtifactKeys.Prep(message.JobId, "transform.json"), result.TransformPath, cancellationToken),
                Profile = await UploadAsync(o.Bucket, JobArtifactKeys.Prep(message.JobId, "profile.json"), result.ProfilePath, cancellationToken),
                Features = result.Transform.FeatureCount,
                Outputs = result.Transform.Outputs,
                Task = result.Transform.Task,
            };
            LogPreprocessed(logger, message.JobId, result.Profile.TrainRows, shards.Count, published.Features);
            await context.Publish(published, cancellationToken);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task DownloadVerifiedAsync(ObjectRef dataset, string path, CancellationToken cancellationToken)
    {
        var input = await store.OpenVerifiedReadAsync(dataset, cancellationToken);
        await using (input)
        {
            await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await input.CopyToAsync(output, 1 << 20, cancellationToken);
        }
    }

    private async Task<ObjectRef> UploadAsync(string bucket, string key, string path, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(path);
        await using (file)
        {
            return await store.PutWithHashAsync(bucket, key, file, cancellationToken: cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} preprocessed: {TrainRows} training rows in {Shards} shards, {Features} features")]
    private static partial void LogPreprocessed(ILogger logger, Guid jobId, long trainRows, int shards, int features);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} preprocessing stopped: the job was cancelled")]
    private static partial void LogCancelled(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} preprocessing failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid jobId, string reason);
}
