using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Pipeline.Deploy.Serving;

/// <summary>Writes the predictions straight to the response and gives the pooled output buffer back.</summary>
internal sealed class PredictionResult(ServedModel model, float[] outputs, int rows, IReadOnlyList<FieldError> warnings, IReadOnlyCollection<string> ignored) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        try
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.Headers["X-Model-Version"] = model.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter))
            {
                Write(writer);
            }

            await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(outputs);
        }
    }

    private void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("model", model.Name);
        writer.WriteNumber("version", model.Version);
        writer.WriteStartArray("predictions");
        var width = model.Network.Spec.Outputs;
        var classes = model.Transform.Classes;
        for (var r = 0; r < rows; r++)
        {
            writer.WriteStartObject();
            var row = outputs.AsSpan(r * width, width);
            if (model.IsClassification && classes is not null)
            {
                var best = 0;
                for (var c = 1; c < width; c++)
                {
                    best = row[c] > row[best] ? c : best;
                }

                writer.WriteString("label", classes[best]);
                writer.WriteStartObject("probabilities");
                for (var c = 0; c < width; c++)
                {
                    writer.WriteNumber(classes[c], row[c]);
                }

                writer.WriteEndObject();
            }
            else
            {
                // The network predicts the standardised target; answer in the target's own unit.
                writer.WriteNumber("value", model.Transform.DecodeTarget(row[0]));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (warnings.Count > 0)
        {
            writer.WriteStartArray("warnings");
            foreach (var w in warnings.Take(100))
            {
                writer.WriteStartObject();
                writer.WriteNumber("row", w.Row);
                writer.WriteString("field", w.Field);
                writer.WriteString("message", w.Message);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (ignored.Count > 0)
        {
            // Columns sent but not used (the target, columns dropped in training): accepted, and said so.
            writer.WriteStartArray("ignored");
            foreach (var name in ignored)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
