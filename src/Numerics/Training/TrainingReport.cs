namespace Pipeline.Numerics.Training;

/// <summary>What a <see cref="Trainer.Train"/> call did: mean training loss per epoch, in order.</summary>
public sealed record TrainingReport(IReadOnlyList<float> EpochLosses, long SamplesSeen, TimeSpan Elapsed)
{
    /// <summary>The last epoch's mean training loss (NaN when no epoch ran).</summary>
    public float FinalLoss => EpochLosses.Count == 0 ? float.NaN : EpochLosses[^1];
}
