using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Pipeline.Deploy.Serving;

/// <summary>RFC 9457 problem bodies that always name the field at fault (<c>field</c>, and <c>errors</c> per row).</summary>
public static class Problems
{
    public static ProblemHttpResult Write(int status, string title, string field, string detail, IReadOnlyList<FieldError>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["field"] = field };
        if (errors is { Count: > 0 })
        {
            // Bounded: a 10 000-row batch with a bad column must not produce a 10 000-entry answer.
            extensions["errors"] = errors.Take(100).Select(e => new { row = e.Row, field = e.Field, message = e.Message }).ToArray();
            extensions["errorCount"] = errors.Count;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    public static ProblemHttpResult InvalidJson(JsonException ex) => InvalidJsonRefusal(ex).ToProblem();

    /// <summary>Where the JSON broke, in words (line and byte), without the parser's internal path.</summary>
    public static PredictionRefusal InvalidJsonRefusal(JsonException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return new PredictionRefusal(StatusCodes.Status400BadRequest, "The body is not valid JSON", "body", $"line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message.Split(" LineNumber", 2)[0]}");
    }
}
