using Google.Protobuf;
using Onnx;
using Pipeline.Numerics.Layers;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Onnx;

/// <summary>
/// Exports a network and its fitted transform as one ONNX model: input <c>features</c> [N, F] of raw values (see
/// <see cref="RawFeatureLayout"/>), then IsNaN/Where imputation, the log compression of long-tailed numeric columns,
/// (x − mean) / std, one Gemm per layer with its
/// activation, and Softmax for classification. Output <c>prediction</c> [N, 1] (regression) or
/// <c>probabilities</c> [N, classes].
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "features";
    public const string RegressionOutput = "prediction";
    public const string ClassificationOutput = "probabilities";

    // Opset 20 has Gelu with the tanh approximation our engine uses; IR 9 is the version that goes with it.
    private const int Opset = 20;
    private const int IrVersion = 9;
    private const int FloatType = 1;

    public static byte[] Export(Network network, FittedTransform transform, string modelName, int version)
    {
        ArgumentNullException.ThrowIfNull(network);
        var layout = RawFeatureLayout.From(transform);
        if (layout.Count != network.Spec.Inputs)
        {
            throw new ArgumentException($"The transform makes {layout.Count} features but the network takes {network.Spec.Inputs}.", nameof(transform));
        }

        var graph = new GraphProto { Name = $"{modelName}_v{version}" };
        graph.Input.Add(Tensor(InputName, "N", layout.Count));
        graph.Initializer.Add(Constant("impute", [layout.Count], layout.Impute));
        graph.Initializer.Add(Constant("mean", [layout.Count], layout.Mean));
        graph.Initializer.Add(Constant("std", [layout.Count], layout.Std));
        graph.Node.Add(Node("IsNaN", ["features"], ["missing"]));
        graph.Node.Add(Node("Where", ["missing", "impute", "features"], ["imputed"]));
        var numbers = AddLogCompression(graph, layout, "imputed");
        graph.Node.Add(Node("Sub", [numbers, "mean"], ["centred"]));
        graph.Node.Add(Node("Div", ["centred", "std"], ["x0"]));

        var parameters = network.Parameters;
        var previous = "x0";
        for (var l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            graph.Initializer.Add(Constant($"w{l}", [layer.Inputs, layer.Outputs], parameters.Slice(layer.WeightOffset, layer.Inputs * layer.Outputs)));
            graph.Initializer.Add(Constant($"b{l}", [layer.Outputs], parameters.Slice(layer.BiasOffset, layer.Outputs)));
            var affine = $"z{l}";
            graph.Node.Add(Node("Gemm", [previous, $"w{l}", $"b{l}"], [affine]));
            previous = AddActivation(graph, layer.Activation, affine, $"a{l}");
        }

        var classification = network.Spec.OutputKind != OutputKind.Regression;
        var output = classification ? ClassificationOutput : RegressionOutput;
        if (!classification && transform.TargetScale is { } target)
        {
            // The network predicts the standardised target: scale it back to the target's own unit.
            graph.Initializer.Add(Constant("target_std", [1], [(float)(target.Std > 0 ? target.Std : 1)]));
            graph.Initializer.Add(Constant("target_mean", [1], [(float)target.Mean]));
            graph.Node.Add(Node("Mul", [previous, "target_std"], ["scaled"]));
            graph.Node.Add(Node("Add", ["scaled", "target_mean"], [output]));
        }
        else
        {
            graph.Node.Add(network.Spec.OutputKind switch
            {
                OutputKind.MulticlassClassification => Node("Softmax", [previous], [output], Int("axis", -1)),
                OutputKind.BinaryClassification => Node("Sigmoid", [previous], [output]),
                _ => Node("Identity", [previous], [output]),
            });
        }
        graph.Output.Add(Tensor(output, "N", network.Spec.Outputs));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Pipeline.Deploy",
            ModelVersion = version,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    /// <summary>
    /// ln(1 + max(x − shift, 0) / unit) on the <c>log</c> features (<see cref="FeatureEncoder.Compress"/>), the others
    /// passed through by a Where on unit &gt; 0. The other features get shift 0 and unit 1, so their unused branch stays
    /// finite.
    /// </summary>
    private static string AddLogCompression(GraphProto graph, RawFeatureLayout layout, string input)
    {
        if (!layout.HasLogFeatures)
        {
            return input;
        }

        var units = layout.LogUnit.Select(u => u > 0 ? u : 1f).ToArray();
        graph.Initializer.Add(Constant("log_shift", [layout.Count], layout.LogShift));
        graph.Initializer.Add(Constant("log_unit", [layout.Count], units));
        graph.Initializer.Add(Constant("log_flag", [layout.Count], layout.LogUnit.Select(u => u > 0 ? 1f : 0f).ToArray()));
        graph.Initializer.Add(Constant("zero", [1], [0f]));
        graph.Initializer.Add(Constant("one", [1], [1f]));
        graph.Node.Add(Node("Greater", ["log_flag", "zero"], ["is_log"]));
        graph.Node.Add(Node("Sub", [input, "log_shift"], ["log_shifted"]));
        graph.Node.Add(Node("Max", ["log_shifted", "zero"], ["log_above"]));
        graph.Node.Add(Node("Div", ["log_above", "log_unit"], ["log_units"]));
        graph.Node.Add(Node("Add", ["log_units", "one"], ["log_arg"]));
        graph.Node.Add(Node("Log", ["log_arg"], ["logged"]));
        graph.Node.Add(Node("Where", ["is_log", "logged", input], ["compressed"]));
        return "compressed";
    }

    private static string AddActivation(GraphProto graph, Activation activation, string input, string output)
    {
        NodeProto? node = activation switch
        {
            Activation.Identity => null,
            Activation.Relu => Node("Relu", [input], [output]),
            Activation.LeakyRelu => Node("LeakyRelu", [input], [output], Float("alpha", 0.01f)),
            Activation.Tanh => Node("Tanh", [input], [output]),
            Activation.Sigmoid => Node("Sigmoid", [input], [output]),
            Activation.Gelu => Node("Gelu", [input], [output], new AttributeProto { Name = "approximate", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("tanh") }),
            _ => throw new NotSupportedException($"No ONNX export for activation {activation}."),
        };
        if (node is null)
        {
            return input;
        }

        graph.Node.Add(node);
        return output;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, AttributeProto? attribute = null)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{outputs[0]}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        if (attribute is not null)
        {
            node.Attribute.Add(attribute);
        }

        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static TensorProto Constant(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new TensorProto { Name = name, DataType = FloatType };
        tensor.Dims.Add(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(bytes); // ONNX raw data is little-endian, as is every platform we run on
        tensor.RawData = ByteString.CopyFrom(bytes);
        return tensor;
    }

    private static ValueInfoProto Tensor(string name, string batchDimension, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } },
        };
    }
}
