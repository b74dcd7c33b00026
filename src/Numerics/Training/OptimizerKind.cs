namespace Pipeline.Numerics.Training;

/// <summary>Parameter update rule.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent, optionally with (Nesterov) momentum; weight decay is L2 added to the gradient.</summary>
    Sgd,

    /// <summary>Adam (Kingma &amp; Ba); weight decay is L2 added to the gradient, as in PyTorch's Adam.</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter), as in PyTorch's AdamW.</summary>
    AdamW,
}
