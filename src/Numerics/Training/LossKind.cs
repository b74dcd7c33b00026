namespace Pipeline.Numerics.Training;

/// <summary>Training objective. Element-wise losses are averaged over all outputs (PyTorch's "mean").</summary>
public enum LossKind
{
    /// <summary>mean((y - t)²).</summary>
    MeanSquaredError,

    /// <summary>mean(|y - t|).</summary>
    MeanAbsoluteError,

    /// <summary>Huber (smooth L1) with δ = 1: quadratic near the target, linear far from it.</summary>
    Huber,

    /// <summary>Binary cross-entropy on raw logits (the sigmoid is folded in for numerical stability); targets in [0, 1].</summary>
    BinaryCrossEntropyWithLogits,

    /// <summary>Softmax cross-entropy on raw logits; targets are per-row class probabilities (one-hot), averaged over rows.</summary>
    SoftmaxCrossEntropy,
}
