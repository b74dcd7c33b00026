using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Pipeline.Deploy.Serving;

/// <summary>Writes the predictions of <c>/predict</c> straight to the response and gives the pooled output buffer back.</summary>
public sealed class PredictionResult(Prediction prediction) : IResult, IEndpointMetadataProvider
{
    public Task ExecuteAsync(HttpContext httpContext) => PredictionResponse.WriteAsync(httpContext, prediction, Write);

    /// <summary>For the OpenAPI document: a 200 with a JSON body.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => PredictionResponse.AddJsonOkMetadata(builder);

    private void Write(Utf8JsonWriter writer)
    {
        var model = prediction.Model;
        writer.WriteStartObject();
        writer.WriteString("model", model.Name);
        writer.WriteNumber("version", model.Version);
        writer.WriteStartArray("predictions");
        var classes = model.Transform.Classes;
        for (var r = 0; r < prediction.Rows; r++)
        {
            writer.WriteStartObject();
            if (model.IsClassification && classes is not null)
            {
                var row = prediction.Row(r);
                writer.WriteString("label", classes[prediction.BestClass(r)]);
                writer.WriteStartObject("probabilities");
                for (var c = 0; c < row.Length; c++)
                {
                    writer.WriteNumber(classes[c], row[c]);
                }

                writer.WriteEndObject();
            }
            else
            {
                // The network predicts the standardised target; answer in the target's own unit.
                writer.WriteNumber("value", prediction.Value(r));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (prediction.Warnings.Count > 0)
        {
            writer.WriteStartArray("warnings");
            foreach (var w in prediction.Warnings.Take(100))
            {
                writer.WriteStartObject();
                writer.WriteNumber("row", w.Row);
                writer.WriteString("field", w.Field);
                writer.WriteString("message", w.Message);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (prediction.Ignored.Count > 0)
        {
            // Columns sent but not used (the target, columns dropped in training): accepted, and said so.
            writer.WriteStartArray("ignored");
            foreach (var name in prediction.Ignored)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
