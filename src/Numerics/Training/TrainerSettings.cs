namespace Pipeline.Numerics.Training;

/// <summary>Hyper-parameters of a training run. Defaults follow the seed workload (MSE, Adam 0.001, batch 256).</summary>
public sealed record TrainerSettings
{
    /// <summary>The objective.</summary>
    public LossKind Loss { get; init; } = LossKind.MeanSquaredError;

    /// <summary>The update rule.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Step size.</summary>
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>Rows per mini-batch (the last batch of an epoch may be smaller).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Passes over the data per <see cref="Trainer.Train"/> call.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Seeds the mini-batch shuffling (epoch e uses a stream derived from seed and e).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Whether to shuffle rows every epoch (off: rows in file order).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>L2 penalty (SGD, Adam) or decoupled decay rate (AdamW); 0 disables it.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Clip the global L2 norm of the gradient to this value; 0 disables clipping.</summary>
    public float GradientClipNorm { get; init; }

    /// <summary>SGD momentum (0: plain SGD).</summary>
    public float Momentum { get; init; }

    /// <summary>Use Nesterov momentum with SGD.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Adam's first-moment decay.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam's second-moment decay.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Adam's denominator guard.</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LearningRate, nameof(LearningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(WeightDecay, nameof(WeightDecay));
        ArgumentOutOfRangeException.ThrowIfNegative(GradientClipNorm, nameof(GradientClipNorm));
        ArgumentOutOfRangeException.ThrowIfNegative(Momentum, nameof(Momentum));
        if (Nesterov && Momentum <= 0)
        {
            throw new ArgumentException("Nesterov momentum needs Momentum > 0.", nameof(Nesterov));
        }
    }
}
