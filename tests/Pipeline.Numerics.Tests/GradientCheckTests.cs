using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Numerics.Tests;

/// <summary>
/// Back-propagated gradients against central finite differences of the loss, for every activation (through
/// two hidden layers), every loss and every backend.
/// </summary>
public class GradientCheckTests
{
    public static TheoryData<string, Activation> BackendsAndActivations()
    {
        var data = new TheoryData<string, Activation>();
        foreach (string backend in Backends.Names)
        {
            foreach (var activation in Enum.GetValues<Activation>())
            {
                data.Add(backend, activation);
            }
        }

        return data;
    }

    public static TheoryData<string, LossKind> BackendsAndLosses()
    {
        var data = new TheoryData<string, LossKind>();
        foreach (string backend in Backends.Names)
        {
            foreach (var loss in Enum.GetValues<LossKind>())
            {
                data.Add(backend, loss);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BackendsAndActivations))]
    public void Every_activation_back_propagates_the_finite_difference_gradient(string backend, Activation activation) =>
        CheckGradient(backend, activation, LossKind.MeanSquaredError);

    [Theory]
    [MemberData(nameof(BackendsAndLosses))]
    public void Every_loss_back_propagates_the_finite_difference_gradient(string backend, LossKind loss) =>
        CheckGradient(backend, Activation.Tanh, loss);

    private static void CheckGradient(string backendName, Activation activation, LossKind loss)
    {
        const int rows = 7, inputs = 4, outputs = 3;
        var backend = Backends.Create(backendName);
        var spec = new NetworkSpec(inputs, [6, 5], activation, outputs);
        var network = Network.Create(spec, seed: 3, backend);
        var features = NaiveReference.RandomMatrix(rows * inputs, 21);
        var targets = Targets(loss, rows, outputs);
        var settings = new TrainerSettings { Loss = loss, BatchSize = rows };
        var analytic = new float[network.ParameterCount];
        new Trainer(network, settings).ComputeGradients(features, targets, rows, analytic);

        // Finite differences of the same network through the scalar reference: the backend under test only has to
        // back-propagate (and the ILGPU CPU simulator is far too slow for 2 forward passes per parameter).
        var trainer = new Trainer(network, settings, Pipeline.Numerics.Backends.ReferenceBackend.Instance);

        const float step = 2e-3f;
        var parameters = network.Parameters;
        int checkedCount = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            float original = parameters[i];
            parameters[i] = original + step;
            double plus = trainer.Evaluate(features, targets, rows);
            parameters[i] = original - step;
            double minus = trainer.Evaluate(features, targets, rows);
            parameters[i] = original;
            double numeric = (plus - minus) / (2 * step);
            double tolerance = 2e-3 + (2e-2 * Math.Abs(numeric));
            if (Math.Abs(numeric - analytic[i]) > tolerance)
            {
                Assert.Fail($"{backendName} {activation} {loss}: d/dθ[{i}] back-prop {analytic[i]}, finite difference {numeric}");
            }

            checkedCount++;
        }

        Assert.Equal(spec.ParameterCount(), checkedCount);
        Assert.Contains(analytic, g => Math.Abs(g) > 1e-4f);
    }

    private static float[] Targets(LossKind loss, int rows, int outputs)
    {
        var random = new DeterministicRandom(5);
        var targets = new float[rows * outputs];
        for (int r = 0; r < rows; r++)
        {
            int hot = random.NextInt(outputs);
            for (int j = 0; j < outputs; j++)
            {
                targets[(r * outputs) + j] = loss switch
                {
                    LossKind.BinaryCrossEntropyWithLogits => random.NextFloat() < 0.5f ? 0 : 1,
                    LossKind.SoftmaxCrossEntropy => j == hot ? 1 : 0,
                    // Spread of ±3 puts Huber errors on both sides of δ = 1.
                    _ => (random.NextFloat() * 6) - 3,
                };
            }
        }

        return targets;
    }
}
