namespace Pipeline.Preprocess.Fitting;

public enum Split
{
    Train = 0,
    Validation = 1,
    Test = 2,
}

/// <summary>
/// Assigns each row to train, validation or test, deterministically from the seed and the row's position within
/// its stratum (its class for classification, all rows for regression). Within a stratum the n-th row gets the
/// point frac(offset + n·φ) of a golden-ratio sequence, which fills [0,1) evenly, so every class is split in the
/// requested proportions to within a row or two (stratified) without a shuffle buffer: it streams. The offset
/// comes from the seed and the stratum, so another seed gives another split.
/// </summary>
public sealed class SplitAssigner
{
    private const double GoldenFraction = 0.6180339887498949;
    private readonly Dictionary<string, (double Offset, long Count)> _strata = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double Offset, long Count)>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _seed;
    private readonly double _trainBelow;
    private readonly double _validationBelow;

    public SplitAssigner(int seed, double validationFraction, double testFraction)
    {
        if (validationFraction < 0 || testFraction < 0 || validationFraction + testFraction >= 1)
        {
            throw new ArgumentException($"Validation ({validationFraction}) and test ({testFraction}) fractions must be non-negative and leave rows for training.");
        }

        _seed = seed;
        _trainBelow = 1 - validationFraction - testFraction;
        _validationBelow = 1 - testFraction;
        _lookup = _strata.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public Split Next(ReadOnlySpan<char> stratum)
    {
        if (!_lookup.TryGetValue(stratum, out var state))
        {
            state = (Offset(stratum), 0);
        }

        var u = (state.Offset + (state.Count * GoldenFraction)) % 1.0;
        _lookup[stratum] = (state.Offset, state.Count + 1);
        return u < _trainBelow ? Split.Train : u < _validationBelow ? Split.Validation : Split.Test;
    }

    private double Offset(ReadOnlySpan<char> stratum)
    {
        // FNV-1a over the seed and the stratum text: stable across processes (string.GetHashCode is not).
        var hash = 14695981039346656037UL;
        foreach (var b in BitConverter.GetBytes(_seed))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        foreach (var c in stratum)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return (hash >> 11) * (1.0 / (1UL << 53));
    }
}
