using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// What every prediction answer shares, whatever its JSON shape (<c>/predict</c>, the Open Inference Protocol):
/// 200, the model version header, the body written straight to the response, the pooled buffers given back after.
/// </summary>
internal static class PredictionResponse
{
    public static async Task WriteAsync(HttpContext httpContext, Prediction prediction, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        using (prediction)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.Headers["X-Model-Version"] = prediction.Model.Version.ToString(CultureInfo.InvariantCulture);
            await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter))
            {
                write(writer);
            }

            await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        }
    }

    /// <summary>For the OpenAPI document: a 200 with a JSON body.</summary>
    public static void AddJsonOkMetadata(EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["application/json"]));
    }
}
