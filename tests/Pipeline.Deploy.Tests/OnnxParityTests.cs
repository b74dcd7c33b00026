using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pipeline.Tabular.Transforms;
using Pipeline.Contracts;
using Pipeline.Deploy.Onnx;
using Pipeline.Numerics.Layers;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Deploy.Tests;

public sealed class OnnxParityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("deploy-onnx-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(TaskKind.Regression, Activation.Relu)]
    [InlineData(TaskKind.Regression, Activation.Gelu)]
    [InlineData(TaskKind.Regression, Activation.Tanh)]
    [InlineData(TaskKind.Classification, Activation.LeakyRelu)]
    [InlineData(TaskKind.Classification, Activation.Sigmoid)]
    public void The_exported_model_on_raw_test_rows_matches_our_engine_within_1e_4_relative(TaskKind task, Activation activation)
    {
        var fixture = new DeployFixture(task, rows: 1000);
        var network = fixture.TrainModel(epochs: 5, activation);
        var onnx = OnnxExporter.Export(network, fixture.Transform, "houses", 1);
        AssertParity(fixture, network, onnx);
    }

    [Theory]
    [InlineData(TaskKind.Regression)]
    [InlineData(TaskKind.Classification)]
    public void A_log_compressed_column_is_compressed_in_the_graph_as_the_encoder_does(TaskKind task)
    {
        var fixture = new DeployFixture(task, rows: 1000, longTail: true);
        var network = fixture.TrainModel(epochs: 5);
        var onnx = OnnxExporter.Export(network, fixture.Transform, "houses", 1);
        AssertParity(fixture, network, onnx);

        // Straight from raw JSON rows too (no round trip through Unscale), values under the shift and missing included.
        var rows = new[] { 5.0, 20, 20.01, 45, 3000 }.Select(lot => new Dictionary<string, object?> { ["sqft"] = 1400, ["rooms"] = 3, ["garden"] = true, ["sold"] = "2023-02-01", ["city"] = "nice", ["lot"] = lot })
            .Append(new Dictionary<string, object?> { ["sqft"] = 1400, ["rooms"] = 3, ["garden"] = true, ["sold"] = "2023-02-01", ["city"] = "nice", ["lot"] = null })
            .Select(r => fixture.Transform.Apply(System.Text.Json.JsonSerializer.SerializeToElement(r)))
            .ToList();
        var encoded = rows.SelectMany(r => r).ToArray();
        var lotFeature = fixture.Transform.FeatureCount - 1;
        Assert.Equal(rows[0][lotFeature], rows[1][lotFeature]); // under the shift counts as the shift
        Assert.Equal((float)((Math.Log(1 + ((45 - 20) / 3.5)) - 3.9) / 1.1), rows[3][lotFeature], 1e-6f);
        var raw = RawFeatureLayout.From(fixture.Transform).Unscale(encoded);
        for (var r = 0; r < rows.Count; r++)
        {
            raw[(r * fixture.Transform.FeatureCount) + lotFeature] = r == 5 ? float.NaN : (float)new[] { 5.0, 20, 20.01, 45, 3000 }[r];
        }

        var outputs = network.Spec.Outputs;
        var ours = new float[rows.Count * outputs];
        network.Predict(encoded, rows.Count, ours);
        using var session = new InferenceSession(onnx);
        var theirs = Run(session, raw, rows.Count, task == TaskKind.Classification ? OnnxExporter.ClassificationOutput : OnnxExporter.RegressionOutput);
        for (var i = 0; i < ours.Length; i++)
        {
            var expected = task == TaskKind.Classification ? ours[i] : (float)fixture.Transform.DecodeTarget(ours[i]);
            Assert.Equal(expected, theirs[i], Math.Max(Math.Abs(expected), 1e-3f) * 1e-4f);
        }
    }

    [Fact]
    public async Task The_deployed_onnx_artifact_matches_the_served_model()
    {
        var fixture = new DeployFixture();
        var (deployer, _, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var network = fixture.TrainModel(epochs: 10);
        await deployer.DeployAsync(await fixture.StageJobAsync(store, network), CancellationToken.None);
        AssertParity(fixture, network, await store.ReadAllBytesAsync("models", "houses/1/model.onnx"));
    }

    [Fact]
    public void Missing_raw_values_are_imputed_in_the_graph_as_the_transform_does()
    {
        var fixture = new DeployFixture(rows: 20);
        var network = fixture.TrainModel(epochs: 0);
        var layout = RawFeatureLayout.From(fixture.Transform);
        var missing = Enumerable.Repeat(float.NaN, layout.Count).ToArray();
        using var session = new InferenceSession(OnnxExporter.Export(network, fixture.Transform, "houses", 1));
        var onnx = Run(session, missing, 1, OnnxExporter.RegressionOutput);

        var nulls = System.Text.Json.JsonSerializer.SerializeToElement(new Dictionary<string, object?> { ["sqft"] = null, ["rooms"] = null, ["garden"] = null, ["sold"] = null, ["city"] = null });
        var ours = new float[1];
        network.Predict(fixture.Transform.Apply(nulls), 1, ours);
        Assert.Equal((float)fixture.Transform.DecodeTarget(ours[0]), onnx[0], 1e-4f);
    }

    private static void AssertParity(DeployFixture fixture, Network network, byte[] onnx)
    {
        var test = fixture.Test;
        var outputs = network.Spec.Outputs;
        var ours = new float[test.Rows * outputs];
        network.Predict(test.Features, test.Rows, ours);
        if (fixture.Task != TaskKind.Classification)
        {
            // Serving and the ONNX graph answer in the target's own unit.
            for (var i = 0; i < ours.Length; i++)
            {
                ours[i] = (float)fixture.Transform.DecodeTarget(ours[i]);
            }
        }

        var raw = RawFeatureLayout.From(fixture.Transform).Unscale(test.Features);
        using var session = new InferenceSession(onnx);
        var theirs = Run(session, raw, test.Rows, fixture.Task == TaskKind.Classification ? OnnxExporter.ClassificationOutput : OnnxExporter.RegressionOutput);

        Assert.Equal(ours.Length, theirs.Length);
        var worst = 0.0;
        for (var i = 0; i < ours.Length; i++)
        {
            var relative = Math.Abs(ours[i] - theirs[i]) / Math.Max(Math.Abs(ours[i]), 1e-3);
            worst = Math.Max(worst, relative);
        }

        Assert.True(worst <= 1e-4, $"worst relative difference {worst:E2}");
    }

    private static float[] Run(InferenceSession session, float[] raw, int rows, string output)
    {
        var input = new DenseTensor<float>(raw, [rows, raw.Length / rows]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        return results.Single(r => r.Name == output).AsEnumerable<float>().ToArray();
    }
}
