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
        Input = new float[capacity * network.Spec.Inputs];
        Pre = new float[layers.Count][];
        Post = new float[layers.Count][];
        Grad = new float[layers.Count][];
        for (int l = 0; l < layers.Count; l++)
        {
            int size = capacity * layers[l].Outputs;
            Pre[l] = new float[size];
            // Identity layers (the output layer) read their activations straight from Z: no copy.
            Post[l] = layers[l].Activation == Activation.Identity ? Pre[l] : new float[size];
            Grad[l] = withGradients ? new float[size] : [];
        }
    }

    public int Capacity { get; }

    /// <summary>The batch's input rows (training gathers shuffled rows here).</summary>
    public float[] Input { get; }

    public float[][] Pre { get; }

    public float[][] Post { get; }

    public float[][] Grad { get; }
}
