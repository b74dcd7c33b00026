using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Platform.Artifacts;
using Pipeline.Tabular.Shards;

namespace Pipeline.TrainWorker;

/// <summary>
/// Shards already read by this worker, by content hash: a worker that gets the same shard in the next round skips
/// the download and the checksum. Bounded by <see cref="TrainWorkerOptions.ShardCacheBytes"/>; least recently used
/// entries go first.
/// </summary>
public sealed class ShardCache(IArtifactStore store, IOptions<TrainWorkerOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _clock;

    public async Task<ShardData> GetAsync(ObjectRef shard, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(shard.Sha256, out var hit))
        {
            hit.LastUsed = Interlocked.Increment(ref _clock);
            return hit.Data;
        }

        ShardData data;
        var stream = await store.OpenVerifiedReadAsync(shard, cancellationToken);
        await using (stream)
        {
            data = await ShardFile.ReadAsync(stream, cancellationToken);
        }

        var size = ((long)data.Features.Length + data.Targets.Length) * sizeof(float);
        if (size <= options.Value.ShardCacheBytes)
        {
            _entries[shard.Sha256] = new Entry(data, size) { LastUsed = Interlocked.Increment(ref _clock) };
            Evict(options.Value.ShardCacheBytes);
        }

        return data;
    }

    /// <summary>Drops these shards (a job's training is over); a later read downloads them again.</summary>
    public void Forget(IEnumerable<ObjectRef> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        foreach (var shard in shards)
        {
            _entries.TryRemove(shard.Sha256, out _);
        }
    }

    /// <summary>How many shards are held (for tests and diagnostics).</summary>
    public int Count => _entries.Count;

    private void Evict(long budget)
    {
        while (_entries.Values.Sum(e => e.Size) > budget)
        {
            var oldest = _entries.MinBy(e => e.Value.LastUsed);
            _entries.TryRemove(oldest.Key, out _);
        }
    }

    private sealed class Entry(ShardData data, long size)
    {
        public ShardData Data { get; } = data;
        public long Size { get; } = size;
        public long LastUsed { get; set; }
    }
}
