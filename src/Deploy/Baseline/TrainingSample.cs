using Pipeline.Contracts;
using Pipeline.Tabular.Metrics;
using Pipeline.Tabular.Shards;

namespace Pipeline.Deploy.Baseline;

/// <summary>
/// What Deploy needs of the training split, gathered one shard at a time so memory holds one shard and the sample,
/// never the whole split: a uniform random sample of at most <c>maxRows</c> rows for the baseline (reservoir
/// sampling, seeded) and the target's mean or class counts for the trivial predictor (over every row).
/// </summary>
public sealed class TrainingSample(int maxRows, int seed)
{
    private readonly Random _random = new(seed);
    private float[] _features = [];
    private float[] _targets = [];
    private int _kept;
    private ShardData? _shape;

    /// <summary>Every training row seen.</summary>
    public long Rows { get; private set; }

    public TargetSummary Targets { get; } = new();

    public void Add(ShardData part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (_shape is null)
        {
            _shape = part;
            var capacity = Math.Min(maxRows, 1 << 20);
            _features = new float[(long)capacity * part.FeatureCount];
            _targets = new float[capacity];
        }
        else if (part.FeatureCount != _shape.FeatureCount || part.Task != _shape.Task)
        {
            throw new InvalidDataException($"training shards disagree: {part.FeatureCount} features vs {_shape.FeatureCount}");
        }

        var width = part.FeatureCount;
        for (var i = 0; i < part.Rows; i++)
        {
            Targets.Add(part.Targets[i], part.Task == (int)TaskKind.Classification, part.Outputs);
            Rows++;
            // Algorithm R: row n replaces a random kept row with probability maxRows / n.
            var slot = _kept < maxRows ? _kept++ : _random.NextInt64(Rows) is var j && j < maxRows ? (int)j : -1;
            if (slot < 0)
            {
                continue;
            }

            EnsureCapacity(slot + 1, width);
            part.Features.AsSpan(i * width, width).CopyTo(_features.AsSpan(slot * width));
            _targets[slot] = part.Targets[i];
        }
    }

    /// <summary>The sampled rows (all rows when there are at most maxRows).</summary>
    public ShardData Sample() => _shape is null
        ? throw new InvalidDataException("no training rows")
        : _shape with { Features = _features[..(_kept * _shape.FeatureCount)], Targets = _targets[.._kept], Rows = _kept };

    private void EnsureCapacity(int rows, int width)
    {
        if (rows <= _targets.Length)
        {
            return;
        }

        var capacity = (int)Math.Min(maxRows, Math.Max(rows, (long)_targets.Length * 2));
        Array.Resize(ref _targets, capacity);
        Array.Resize(ref _features, capacity * width);
    }
}
