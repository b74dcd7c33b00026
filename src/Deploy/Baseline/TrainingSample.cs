using Pipeline.Contracts;
using Pipeline.Tabular.Metrics;
using Pipeline.Tabular.Shards;

namespace Pipeline.Deploy.Baseline;

/// <summary>
/// What Deploy needs of the training split, streamed from the shard files so memory holds the sample and a read
/// buffer, never a shard: a uniform random sample of at most <c>maxRows</c> rows and <c>maxValues</c> feature values
/// (whichever is fewer rows for the file's width) for the baseline (reservoir sampling, seeded), and the target's mean
/// or class counts for the trivial predictor (over every row). The buffers grow with the rows kept: a 30-row file of
/// 5,000 columns once reserved room for 200,000 rows (4 GB) up front.
/// </summary>
public sealed class TrainingSample(int maxRows, long maxValues, int seed)
{
    private readonly Random _random = new(seed);
    private float[] _features = [];
    private float[] _targets = [];
    private int _kept;
    private long _seen;
    private long[] _slotRow = [];
    private ShardData? _shape;
    private int _limit = Math.Max(1, maxRows);

    /// <summary>Every training row seen.</summary>
    public long Rows { get; private set; }

    /// <summary>The most rows the sample keeps for this file's width: <c>maxRows</c>, fewer when its rows are wide.</summary>
    public int Limit => _limit;

    public TargetSummary Targets { get; } = new();

    /// <summary>Adds a shard held in memory (tests, small splits).</summary>
    public void Add(ShardData part)
    {
        ArgumentNullException.ThrowIfNull(part);
        Begin(part);
        var slots = new Dictionary<long, int>();
        for (var i = 0; i < part.Rows; i++)
        {
            Offer(i, part.Features.AsSpan(i * part.FeatureCount, part.FeatureCount), slots);
        }

        for (var i = 0; i < part.Rows; i++)
        {
            Target(i, part.Targets[i], part, slots);
        }
    }

    /// <summary>Adds a shard file read as a stream (verified by its checksum; a corrupt file throws).</summary>
    public async Task AddAsync(Stream shard, CancellationToken cancellationToken)
    {
        ShardData? shape = null;
        var slots = new Dictionary<long, int>();
        await ShardFile.ScanAsync(
            shard,
            header => Begin(shape = header),
            (row, features) => Offer(row, features, slots),
            (row, target) => Target(row, target, shape!, slots),
            cancellationToken);
    }

    private void Begin(ShardData part)
    {
        if (_shape is null)
        {
            _shape = part with { Features = [], Targets = [] };
            _limit = (int)Math.Clamp(maxValues / Math.Max(1, part.FeatureCount), 1, Math.Max(1, maxRows));
        }

        // Row indices are per shard: slots filled from earlier shards already have their targets.
        Array.Fill(_slotRow, -1);
        if (part.FeatureCount != _shape.FeatureCount || part.Task != _shape.Task)
        {
            throw new InvalidDataException($"training shards disagree: {part.FeatureCount} features vs {_shape.FeatureCount}");
        }
    }

    /// <summary>Algorithm R over the rows seen so far: row n replaces a random kept row with probability limit / n.</summary>
    private void Offer(long row, ReadOnlySpan<float> features, Dictionary<long, int> slots)
    {
        _seen++;
        var slot = _kept < _limit ? _kept++ : _random.NextInt64(_seen) is var j && j < _limit ? (int)j : -1;
        if (slot < 0)
        {
            return;
        }

        EnsureCapacity(slot + 1, features.Length);
        if (_slotRow[slot] >= 0)
        {
            // The row of this shard the slot held no longer needs its target.
            slots.Remove(_slotRow[slot]);
        }

        _slotRow[slot] = row;
        features.CopyTo(_features.AsSpan(slot * features.Length));
        slots[row] = slot;
    }

    /// <summary>The targets come after the features in a shard file: each fills the slot its row took, if it kept one.</summary>
    private void Target(long row, float target, ShardData shape, Dictionary<long, int> slots)
    {
        Targets.Add(target, shape.Task == (int)TaskKind.Classification, shape.Outputs);
        Rows++;
        if (slots.TryGetValue(row, out var slot))
        {
            _targets[slot] = target;
        }
    }

    /// <summary>The sampled rows (all rows when there are at most <see cref="Limit"/>).</summary>
    public ShardData Sample() => _shape is null
        ? throw new InvalidDataException("no training rows")
        : _shape with { Features = _features[..(_kept * _shape.FeatureCount)], Targets = _targets[.._kept], Rows = _kept };

    private void EnsureCapacity(int rows, int width)
    {
        if (rows <= _targets.Length)
        {
            return;
        }

        var capacity = (int)Math.Min(_limit, Math.Max(rows, (long)_targets.Length * 2));
        var old = _slotRow.Length;
        Array.Resize(ref _targets, capacity);
        Array.Resize(ref _features, capacity * width);
        Array.Resize(ref _slotRow, capacity);
        _slotRow.AsSpan(old).Fill(-1);
    }
}
