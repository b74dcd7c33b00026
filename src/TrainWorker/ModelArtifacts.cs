using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Contracts;
using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Serialization;
using Pipeline.Numerics.Training;
using Pipeline.Platform.Artifacts;

namespace Pipeline.TrainWorker;

/// <summary>Reads and writes model files in the artifact store, verified against their <see cref="ObjectRef"/>.</summary>
public sealed class ModelArtifacts(IArtifactStore store)
{
    /// <summary>A stored model and what training said about it (kept as object metadata).</summary>
    public sealed record StoredModel(ObjectRef Ref, long Samples, double Loss);

    public async Task<Network> LoadAsync(ObjectRef model, CancellationToken cancellationToken)
    {
        var stream = await store.OpenVerifiedReadAsync(model, cancellationToken);
        await using (stream)
        {
            // The model file is small next to a shard; buffering it lets the checksum be verified before parsing.
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            buffer.Position = 0;
            return ModelFile.Load(buffer).Network;
        }
    }

    /// <summary>
    /// Saves a model with its sample count and loss as metadata, so a redelivered command can find the finished
    /// result and report it again instead of training twice.
    /// </summary>
    public async Task<ObjectRef> SaveAsync(string key, Network network, long samples, double loss, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        ModelFile.Save(buffer, network);
        var bytes = buffer.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var metadata = new Dictionary<string, string>
        {
            ["sha256"] = sha,
            ["samples"] = samples.ToString(CultureInfo.InvariantCulture),
            ["loss"] = loss.ToString("R", CultureInfo.InvariantCulture),
        };
        await store.EnsureBucketAsync(JobArtifactKeys.Bucket, cancellationToken);
        await store.PutBytesAsync(JobArtifactKeys.Bucket, key, bytes, metadata, cancellationToken);
        return new ObjectRef(JobArtifactKeys.Bucket, key, sha, bytes.Length);
    }

    public async Task SaveOptimizerAsync(string key, OptimizerState state, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        state.Save(buffer);
        await store.EnsureBucketAsync(JobArtifactKeys.Bucket, cancellationToken);
        await store.PutBytesAsync(JobArtifactKeys.Bucket, key, buffer.ToArray(), cancellationToken: cancellationToken);
    }

    /// <summary>The optimizer state stored under the key, or null when there is none (e.g. a job that resets it).</summary>
    public async Task<OptimizerState?> FindOptimizerAsync(string key, CancellationToken cancellationToken)
    {
        if (await store.StatAsync(JobArtifactKeys.Bucket, key, cancellationToken) is null)
        {
            return null;
        }

        return OptimizerState.Load(new MemoryStream(await store.ReadAllBytesAsync(JobArtifactKeys.Bucket, key, cancellationToken), writable: false));
    }

    /// <summary>The result stored under the key by an earlier delivery, or null.</summary>
    public async Task<StoredModel?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var info = await store.StatAsync(JobArtifactKeys.Bucket, key, cancellationToken);
        if (info is null
            || !info.Metadata.TryGetValue("sha256", out var sha)
            || !info.Metadata.TryGetValue("samples", out var samples)
            || !info.Metadata.TryGetValue("loss", out var loss))
        {
            return null;
        }

        return new StoredModel(
            new ObjectRef(JobArtifactKeys.Bucket, key, sha, info.Size),
            long.Parse(samples, CultureInfo.InvariantCulture),
            double.Parse(loss, CultureInfo.InvariantCulture));
    }
}
