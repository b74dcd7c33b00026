using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Tests;

/// <summary>The classifier's answer stays a probability distribution however confident the network is.</summary>
public sealed class SoftMaxTests
{
    [Fact]
    public void Logits_beyond_the_float_exponent_range_give_probabilities_not_NaN()
    {
        var probabilities = new float[3];
        Network.StableSoftMax([500f, 0f, -40f], probabilities);
        Assert.Equal([1f, 0f, 0f], probabilities);

        Network.StableSoftMax([100f, 100f + MathF.Log(3), 60f], probabilities);
        Assert.Equal(0.25f, probabilities[0], 5);
        Assert.Equal(0.75f, probabilities[1], 5);
    }

    [Fact]
    public void Infinite_logits_share_the_probability()
    {
        var probabilities = new float[3];
        Network.StableSoftMax([float.PositiveInfinity, 2f, float.PositiveInfinity], probabilities);
        Assert.Equal([0.5f, 0f, 0.5f], probabilities);
    }

    [Fact]
    public void Ordinary_logits_match_the_textbook_softmax()
    {
        float[] logits = [0.3f, -1.2f, 2.5f, 0f];
        var probabilities = new float[4];
        Network.StableSoftMax(logits, probabilities);
        var sum = logits.Sum(l => Math.Exp(l));
        for (var c = 0; c < logits.Length; c++)
        {
            Assert.Equal(Math.Exp(logits[c]) / sum, probabilities[c], 6);
        }
    }
}
