namespace Pipeline.Preprocess.Fitting;

/// <summary>Mean and variance in one pass (Welford), mergeable with a block of identical values (the imputed ones).</summary>
internal struct RunningStats
{
    public long Count;
    public double Mean;
    public double M2;

    public void Add(double x)
    {
        Count++;
        var delta = x - Mean;
        Mean += delta / Count;
        M2 += delta * (x - Mean);
    }

    /// <summary>The statistics after adding <paramref name="copies"/> times the value <paramref name="value"/>.</summary>
    public readonly RunningStats WithCopies(double value, long copies)
    {
        if (copies == 0)
        {
            return this;
        }

        var total = Count + copies;
        var delta = value - Mean;
        return new RunningStats
        {
            Count = total,
            Mean = Mean + (delta * copies / total),
            M2 = M2 + (delta * delta * Count * copies / total),
        };
    }

    /// <summary>Population standard deviation; 0 when fewer than two values.</summary>
    public readonly double Std => Count > 1 ? Math.Sqrt(M2 / Count) : 0;
}
