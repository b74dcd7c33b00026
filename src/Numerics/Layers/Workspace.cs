namespace Pipeline.Numerics.Layers;

/// <summary>
/// Scratch for one forward/backward pass of up to <see cref="Capacity"/> rows: pre-activations Z, activations A
/// and activation gradients G per layer. Allocated once and reused, so a training step allocates nothing.
/// </summary>
internal sealed class Workspace
{
    public Workspace(Network network, int capacity, bool withGradients)
    {
        Capacity = capacity;
        var layers = network.Layers;
        Input = new AlignedBuffer(capacity * network.Spec.Inputs);
        Pre = new AlignedBuffer[layers.Count];
        Post = new AlignedBuffer[layers.Count];
        Grad = new AlignedBuffer[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            int size = capacity * layers[l].Outputs;
            Pre[l] = new AlignedBuffer(size);
            // Identity layers (the output layer) read their activations straight from Z: no copy. Relu and leaky
            // relu overwrite Z with their activations: f(z) > 0 exactly when z > 0, so the backward pass reads its
            // mask from A as well, and a step writes one matrix per layer instead of two (and holds one less).
            Post[l] = layers[l].Activation is Activation.Identity or Activation.Relu or Activation.LeakyRelu ? Pre[l] : new AlignedBuffer(size);
            Grad[l] = new AlignedBuffer(withGradients ? size : 0);
        }
    }

    public int Capacity { get; }

    /// <summary>The batch's input rows (training gathers shuffled rows here).</summary>
    public AlignedBuffer Input { get; }

    public AlignedBuffer[] Pre { get; }

    public AlignedBuffer[] Post { get; }

    public AlignedBuffer[] Grad { get; }
}
