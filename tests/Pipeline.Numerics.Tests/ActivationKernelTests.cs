using Pipeline.Numerics.Layers;

namespace Pipeline.Numerics.Tests;

/// <summary>The SIMD element-wise activation loops against the scalar definitions, for every length 0..256.</summary>
[Trait("Category", "Kernels")]
public class ActivationKernelTests
{
    public static TheoryData<Activation> AllActivations() => [.. Enum.GetValues<Activation>()];

    [Theory]
    [MemberData(nameof(AllActivations))]
    public void Forward_and_backward_match_the_scalar_definition_for_every_length(Activation activation)
    {
        for (int length = 0; length <= 256; length++)
        {
            var z = NaiveReference.RandomMatrix(length, length + 1);
            for (int i = 0; i < z.Length; i++)
            {
                z[i] *= 4; // reach the saturated ranges of tanh and sigmoid too
            }

            var g = NaiveReference.RandomMatrix(length, length + 1000);
            var a = new float[length];
            var d = new float[length];
            ActivationFunctions.Forward(activation, z, a);
            ActivationFunctions.Backward(activation, z, a, g, d);
            for (int i = 0; i < length; i++)
            {
                float expectedValue = ScalarActivation.Value(activation, z[i]);
                float expectedGradient = g[i] * ScalarActivation.Derivative(activation, z[i]);
                Assert.True(Math.Abs(a[i] - expectedValue) <= 1e-5f * (1 + Math.Abs(expectedValue)), $"{activation} f({z[i]}) = {a[i]}, expected {expectedValue} (length {length})");
                Assert.True(Math.Abs(d[i] - expectedGradient) <= 1e-5f * (1 + Math.Abs(expectedGradient)), $"{activation} f'({z[i]}) = {d[i]}, expected {expectedGradient} (length {length})");
            }
        }
    }

    [Fact]
    public void Relu_passes_nan_through_at_every_position_so_a_diverged_layer_shows_in_the_loss()
    {
        for (int length = 1; length <= 70; length++)
        {
            for (int at = 0; at < length; at++)
            {
                var z = NaiveReference.RandomMatrix(length, length + at);
                z[at] = float.NaN;
                var a = new float[length];
                ActivationFunctions.Forward(Activation.Relu, z, a);
                Assert.True(float.IsNaN(a[at]), $"relu(NaN) at {at} of {length} gave {a[at]}");
                Assert.True(float.IsNaN(ScalarActivation.Value(Activation.Relu, float.NaN)));
            }
        }
    }
}
