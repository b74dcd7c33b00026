namespace Pipeline.Numerics.Layers;

/// <summary>What the last layer's outputs mean; decides the transform <see cref="Network.Predict"/> applies.</summary>
public enum OutputKind
{
    /// <summary>Raw values (regression).</summary>
    Regression,

    /// <summary>Independent probabilities per output: sigmoid of the logits (train with binary cross-entropy).</summary>
    BinaryClassification,

    /// <summary>A probability distribution over the outputs: softmax of the logits (train with softmax cross-entropy).</summary>
    MulticlassClassification,
}
