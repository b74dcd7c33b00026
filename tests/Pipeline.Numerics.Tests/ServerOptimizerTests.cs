using Pipeline.Numerics.Layers;
using Pipeline.Numerics.Training;

namespace Pipeline.Numerics.Tests;

/// <summary>The merge's server step (Reddi et al. 2021, Algorithm 2) against a scalar transcription of the paper.</summary>
public sealed class ServerOptimizerTests
{
    private static readonly NetworkSpec Spec = new(3, [5], Activation.Relu, 1);

    /// <summary>Algorithm 2 of the paper, one parameter at a time, with Δ = x̄ − x (the paper's sign) and x += η·step.</summary>
    private static (double[] X, double[] M, double[] V) Reference(
        double[] x, double[][] averages, ServerOptimizerKind kind, double lr, double momentum, double beta2 = 0.99, double tau = 1e-3)
    {
        var m = new double[x.Length];
        var v = new double[x.Length];
        x = (double[])x.Clone();
        foreach (var average in averages)
        {
            for (var i = 0; i < x.Length; i++)
            {
                var delta = average[i] - x[i];
                if (kind == ServerOptimizerKind.FedAvgM)
                {
                    m[i] = (momentum * m[i]) + delta;
                    x[i] += lr * m[i];
                }
                else
                {
                    m[i] = (momentum * m[i]) + ((1 - momentum) * delta);
                    v[i] = (beta2 * v[i]) + ((1 - beta2) * delta * delta);
                    x[i] += lr * m[i] / (Math.Sqrt(v[i]) + tau);
                }
            }
        }

        return (x, m, v);
    }

    private static Network Random(ulong seed) => Network.Create(Spec, seed);

    [Theory]
    [InlineData(ServerOptimizerKind.FedAvgM, 1.0, 0.9)]
    [InlineData(ServerOptimizerKind.FedAvgM, 0.7, 0.5)]
    [InlineData(ServerOptimizerKind.FedAdam, 0.01, 0.9)]
    public void Three_rounds_follow_the_papers_algorithm(ServerOptimizerKind kind, double lr, double momentum)
    {
        var settings = new ServerOptimizerSettings(kind, lr, momentum);
        var start = Random(1);
        var averages = new[] { Random(2), Random(3), Random(4) };

        var model = start;
        var state = ServerOptimizer.Initial;
        foreach (var average in averages)
        {
            (model, state) = ServerOptimizer.Step(model, average, state, settings);
        }

        // The reference steps from the models the implementation produced (float between rounds, as stored), so it
        // checks each round's arithmetic; the buffers are compared after the last round.
        var (x, m, v) = Reference(
            [.. start.Parameters.ToArray().Select(p => (double)p)],
            [.. averages.Select(a => a.Parameters.ToArray().Select(p => (double)p).ToArray())],
            kind, lr, momentum);
        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal(x[i], model.Parameters[i], 1e-4);
            Assert.Equal(-m[i], state.First[i], 1e-5); // the implementation keeps Δ with the other sign: x_prev − x̄
            if (kind == ServerOptimizerKind.FedAdam)
            {
                Assert.Equal(v[i], state.Second[i], 1e-6);
            }
        }

        Assert.Equal(3, state.Step);
    }

    [Fact]
    public void Fedavgm_with_server_rate_one_and_no_momentum_is_exactly_the_average()
    {
        var settings = new ServerOptimizerSettings(ServerOptimizerKind.FedAvgM, 1, 0);
        var model = Random(5);
        var state = ServerOptimizer.Initial;
        for (ulong round = 0; round < 4; round++)
        {
            var average = Random(10 + round);
            (model, state) = ServerOptimizer.Step(model, average, state, settings);
            Assert.Equal(average.Parameters.ToArray(), model.Parameters.ToArray());
        }
    }

    [Fact]
    public void A_stored_and_reloaded_state_continues_exactly()
    {
        var settings = new ServerOptimizerSettings(ServerOptimizerKind.FedAdam, 0.03, 0.9);
        var (first, state) = ServerOptimizer.Step(Random(1), Random(2), ServerOptimizer.Initial, settings);
        var stream = new MemoryStream();
        state.Save(stream);
        stream.Position = 0;

        var (uninterrupted, _) = ServerOptimizer.Step(first, Random(3), state, settings);
        var (restarted, _) = ServerOptimizer.Step(first, Random(3), OptimizerState.Load(stream), settings);

        Assert.Equal(uninterrupted.Parameters.ToArray(), restarted.Parameters.ToArray());
    }

    [Fact]
    public void Fedavg_returns_the_average_and_mismatched_inputs_are_refused()
    {
        var average = Random(2);
        var (model, _) = ServerOptimizer.Step(Random(1), average, ServerOptimizer.Initial, new ServerOptimizerSettings(ServerOptimizerKind.FedAvg));
        Assert.Same(average, model);

        var other = Network.Create(new NetworkSpec(3, [6], Activation.Relu, 1), 1);
        Assert.Throws<ArgumentException>(() => ServerOptimizer.Step(Random(1), other, ServerOptimizer.Initial, new ServerOptimizerSettings(ServerOptimizerKind.FedAvgM, 1, 0.9)));
        Assert.Throws<InvalidDataException>(() => ServerOptimizer.Step(Random(1), Random(2), new OptimizerState(1, new float[3], []), new ServerOptimizerSettings(ServerOptimizerKind.FedAvgM, 1, 0.9)));
    }
}
