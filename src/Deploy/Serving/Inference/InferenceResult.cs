using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Pipeline.Deploy.Serving.Inference;

/// <summary>
/// The Open Inference Protocol's answer, written straight to the response:
/// <c>{"model_name","model_version","id","parameters","outputs":[{name, datatype, shape, data}]}</c>.
/// Regression: <c>predict</c> FP32 [N, 1], in the target's unit (what <c>/predict</c> calls <c>value</c>).
/// Classification: <c>predict</c> BYTES [N, 1], the most probable class (<c>label</c>), and <c>predict_proba</c>
/// FP32 [N, classes], the calibrated probabilities in the class order the model metadata lists.
/// <c>parameters</c> carries <c>warnings</c> (e.g. a category not seen in training) and <c>ignored</c> (columns sent
/// that the model does not use) as text, since protocol parameters are scalars.
/// </summary>
public sealed class InferenceResult(Prediction prediction, string? id, IReadOnlyList<string>? requestedOutputs) : IResult, IEndpointMetadataProvider
{
    public const string PredictOutput = "predict";
    public const string ProbabilitiesOutput = "predict_proba";

    /// <summary>The outputs a model of this task answers, in order.</summary>
    public static IReadOnlyList<string> OutputNames(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.IsClassification ? [PredictOutput, ProbabilitiesOutput] : [PredictOutput];
    }

    public Task ExecuteAsync(HttpContext httpContext) => PredictionResponse.WriteAsync(httpContext, prediction, Write);

    /// <summary>For the OpenAPI document: a 200 with a JSON body.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => PredictionResponse.AddJsonOkMetadata(builder);

    private void Write(Utf8JsonWriter writer)
    {
        var model = prediction.Model;
        writer.WriteStartObject();
        writer.WriteString("model_name", model.Name);
        writer.WriteString("model_version", model.Version.ToString(CultureInfo.InvariantCulture));
        if (id is not null)
        {
            writer.WriteString("id", id);
        }

        WriteParameters(writer);
        writer.WriteStartArray("outputs");
        foreach (var name in requestedOutputs ?? OutputNames(model))
        {
            if (name == ProbabilitiesOutput)
            {
                WriteProbabilities(writer);
            }
            else
            {
                WritePredict(writer);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private void WritePredict(Utf8JsonWriter writer)
    {
        var model = prediction.Model;
        var classes = model.IsClassification ? model.Transform.Classes : null;
        StartTensor(writer, PredictOutput, classes is null ? InferenceDatatypes.Fp32 : InferenceDatatypes.Bytes, 1);
        for (var r = 0; r < prediction.Rows; r++)
        {
            if (classes is not null)
            {
                writer.WriteStringValue(classes[prediction.BestClass(r)]);
            }
            else
            {
                writer.WriteNumberValue((float)prediction.Value(r));
            }
        }

        EndTensor(writer);
    }

    private void WriteProbabilities(Utf8JsonWriter writer)
    {
        StartTensor(writer, ProbabilitiesOutput, InferenceDatatypes.Fp32, prediction.Width);
        for (var r = 0; r < prediction.Rows; r++)
        {
            foreach (var p in prediction.Row(r))
            {
                writer.WriteNumberValue(p);
            }
        }

        EndTensor(writer);
    }

    private void StartTensor(Utf8JsonWriter writer, string name, string datatype, int width)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("datatype", datatype);
        writer.WriteStartArray("shape");
        writer.WriteNumberValue(prediction.Rows);
        writer.WriteNumberValue(width);
        writer.WriteEndArray();
        writer.WriteStartArray("data");
    }

    private static void EndTensor(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private void WriteParameters(Utf8JsonWriter writer)
    {
        if (prediction.Warnings.Count == 0 && prediction.Ignored.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("parameters");
        if (prediction.Warnings.Count > 0)
        {
            // Bounded like /predict's list: the first ten, and how many there were.
            var shown = prediction.Warnings.Take(10).Select(w => $"row {w.Row}, {w.Field}: {w.Message}");
            var more = prediction.Warnings.Count > 10 ? $" (and {prediction.Warnings.Count - 10} more)" : string.Empty;
            writer.WriteString("warnings", string.Join("; ", shown) + more);
        }

        if (prediction.Ignored.Count > 0)
        {
            writer.WriteString("ignored", string.Join(", ", prediction.Ignored));
        }

        writer.WriteEndObject();
    }
}
