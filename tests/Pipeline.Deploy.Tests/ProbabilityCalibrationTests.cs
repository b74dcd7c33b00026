using Pipeline.Contracts;
using Pipeline.Deploy.Deployment;
using Pipeline.Numerics;
using Pipeline.Numerics.Layers;
using Pipeline.Tabular.Shards;

namespace Pipeline.Deploy.Tests;

/// <summary>Temperature scaling: finds the temperature that generated the data, never changes a decision.</summary>
public sealed class ProbabilityCalibrationTests
{
    [Fact]
    public void The_fitted_temperature_undoes_an_over_confident_scale()
    {
        // Labels drawn from softmax(z); the classifier reports 3z (over-confident): the fit should find β ≈ 1/3.
        const int Rows = 20_000, Classes = 4;
        var random = new Random(5);
        var logits = new float[Rows * Classes];
        var labels = new float[Rows];
        for (var i = 0; i < Rows; i++)
        {
            var z = new double[Classes];
            for (var c = 0; c < Classes; c++)
            {
                z[c] = random.NextDouble() * 3;
                logits[(i * Classes) + c] = (float)(3 * z[c]);
            }

            labels[i] = Sample(z, random);
        }

        var inverse = ProbabilityCalibration.FitInverseTemperature(logits, labels, Rows, Classes);

        Assert.InRange(inverse, 1 / 3.0 * 0.9, 1 / 3.0 * 1.1);
        Assert.True(ProbabilityCalibration.LogLoss(logits, labels, Rows, Classes, inverse) < ProbabilityCalibration.LogLoss(logits, labels, Rows, Classes, 1));
    }

    [Fact]
    public void Calibrating_a_network_lowers_validation_log_loss_and_keeps_every_predicted_class()
    {
        const int Rows = 2_000, Inputs = 6, Classes = 3;
        var network = Network.Create(new NetworkSpec(Inputs, [16], Activation.Relu, Classes, OutputKind.MulticlassClassification), 3);

        // Make it over-confident: the output layer times 20.
        var last = network.Layers[^1];
        var output = network.Parameters.Slice(last.WeightOffset, (last.Inputs * last.Outputs) + last.Outputs);
        for (var i = 0; i < output.Length; i++)
        {
            output[i] *= 20;
        }

        var random = new Random(9);
        var features = new float[Rows * Inputs];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)((random.NextDouble() * 2) - 1);
        }

        // Labels: the network's own choice, wrong one time in four.
        var before = new float[Rows * Classes];
        network.Predict(features, Rows, before);
        var labels = new float[Rows];
        for (var i = 0; i < Rows; i++)
        {
            var best = ArgMax(before.AsSpan(i * Classes, Classes));
            labels[i] = random.NextDouble() < 0.25 ? (best + 1 + random.Next(Classes - 1)) % Classes : best;
        }

        var record = ProbabilityCalibration.Calibrate(network, new ShardData(features, labels, Rows, Inputs, Classes, (int)TaskKind.Classification));

        Assert.NotNull(record);
        Assert.True(record.Temperature > 1.5, $"temperature {record.Temperature}");
        Assert.True(record.ValidationLogLossAfter < record.ValidationLogLossBefore * 0.8, $"{record.ValidationLogLossBefore} -> {record.ValidationLogLossAfter}");
        var after = new float[Rows * Classes];
        network.Predict(features, Rows, after);
        for (var i = 0; i < Rows; i++)
        {
            Assert.Equal(ArgMax(before.AsSpan(i * Classes, Classes)), ArgMax(after.AsSpan(i * Classes, Classes)));
        }
    }

    [Fact]
    public void Regression_networks_and_tiny_splits_are_left_alone()
    {
        var regression = Network.Create(new NetworkSpec(3, [4], Activation.Relu, 1), 1);
        Assert.Null(ProbabilityCalibration.Calibrate(regression, new ShardData(new float[300], new float[100], 100, 3, 1, (int)TaskKind.Regression)));

        var classifier = Network.Create(new NetworkSpec(3, [4], Activation.Relu, 2, OutputKind.MulticlassClassification), 1);
        var rows = ProbabilityCalibration.MinimumRows - 1;
        Assert.Null(ProbabilityCalibration.Calibrate(classifier, new ShardData(new float[rows * 3], new float[rows], rows, 3, 2, (int)TaskKind.Classification)));
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++)
        {
            best = row[c] > row[best] ? c : best;
        }

        return best;
    }

    private static int Sample(double[] z, Random random)
    {
        var weights = z.Select(Math.Exp).ToArray();
        var u = random.NextDouble() * weights.Sum();
        for (var c = 0; c < weights.Length; c++)
        {
            u -= weights[c];
            if (u <= 0)
            {
                return c;
            }
        }

        return weights.Length - 1;
    }
}
