using System.Buffers;
using System.Text.Unicode;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// <c>POST /predict/{model}[/{version}]</c>: one JSON object or an array of objects of raw values keyed by the
/// original column names. Answers
/// <c>{"model","version","predictions":[{"value"} | {"label","probabilities":{class: p}}],"warnings":[…],"ignored":[…]}</c>
/// (<c>ignored</c>: the columns sent that the model does not use, the target and those dropped in training).
/// Every refusal is a 4xx problem body naming the field; refusals are cheap and never touch the model.
/// The steps (<see cref="ResolveAsync"/>, <see cref="ReadBodyAsync"/>, <see cref="Predict"/>) are shared with the
/// Open Inference Protocol, which turns its tensors into the same rows: one encoder, one set of rules.
/// </summary>
public sealed class PredictionHandler(ModelCache cache, IOptions<DeployOptions> options)
{
    public async Task<Results<PredictionResult, ProblemHttpResult>> HandleAsync(HttpContext http, string model, string? version)
    {
        var ct = http.RequestAborted;
        var (served, notFound) = await ResolveAsync(model, version, ct);
        if (served is null)
        {
            return notFound!.ToProblem();
        }

        var (body, unreadable) = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return unreadable!.ToProblem();
        }

        using (body)
        {
            try
            {
                using var document = JsonDocument.Parse(body.Memory);
                var (prediction, refusal) = Predict(served, document.RootElement);
                return prediction is null ? refusal!.ToProblem() : new PredictionResult(prediction);
            }
            catch (JsonException ex)
            {
                return Problems.InvalidJson(ex);
            }
        }
    }

    /// <summary>The production version of <paramref name="model"/>, or the numbered <paramref name="version"/>; a 404 refusal when there is none.</summary>
    public async Task<(ServedModel? Model, PredictionRefusal? Refusal)> ResolveAsync(string model, string? version, CancellationToken ct)
    {
        if (version is null)
        {
            return await cache.GetProductionAsync(model, ct) is { } production
                ? (production, null)
                : (null, new PredictionRefusal(StatusCodes.Status404NotFound, "Unknown model", "model", $"no production version of model '{model}' (GET /models lists them)"));
        }

        if (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return (null, new PredictionRefusal(StatusCodes.Status404NotFound, "Unknown version", "version", $"'{version}' is not a version number"));
        }

        return await cache.GetVersionAsync(model, number, ct) is { } served
            ? (served, null)
            : (null, new PredictionRefusal(StatusCodes.Status404NotFound, "Unknown version", "version", $"model '{model}' has no version {number}"));
    }

    /// <summary>The body as UTF-8 bytes within <see cref="ServingOptions.MaxBodyBytes"/>; the caller disposes it.</summary>
    public async Task<(PooledRequestBody? Body, PredictionRefusal? Refusal)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = options.Value.Serving.MaxBodyBytes;
        var body = await PooledRequestBody.ReadAsync(request, limit, ct);
        if (body is null)
        {
            return (null, new PredictionRefusal(StatusCodes.Status413PayloadTooLarge, "Body too large", "body", $"the body is over {limit} bytes (Pipeline:Deploy:Serving:MaxBodyBytes)"));
        }

        // The parser checks UTF-8 only where it reads a string, as an exception deep in encoding: refuse it here.
        if (!Utf8.IsValid(body.Memory.Span))
        {
            body.Dispose();
            return (null, new PredictionRefusal(StatusCodes.Status400BadRequest, "The body is not valid UTF-8", "body", "send JSON encoded as UTF-8"));
        }

        return (body, null);
    }

    /// <summary>
    /// Encodes the rows (one JSON object, or an array of them) strictly with the model's <see cref="RowEncoder"/>
    /// and runs the network; the caller disposes the prediction.
    /// </summary>
    public (Prediction? Prediction, PredictionRefusal? Refusal) Predict(ServedModel served, JsonElement root)
    {
        ArgumentNullException.ThrowIfNull(served);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var maxRows = options.Value.Serving.MaxBatchRows;
        var rows = root.ValueKind switch
        {
            JsonValueKind.Array => root.GetArrayLength(),
            JsonValueKind.Object => 1,
            _ => -1,
        };
        if (rows < 0)
        {
            return Refuse(StatusCodes.Status400BadRequest, "Unexpected body", "body", $"the body must be a JSON object (one row) or an array of objects, not a {root.ValueKind.ToString().ToLowerInvariant()}");
        }

        if (rows == 0)
        {
            return Refuse(StatusCodes.Status400BadRequest, "Empty batch", "body", "the array has no rows");
        }

        if (rows > maxRows)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "Batch too large", "body", $"{rows} rows is over the limit of {maxRows} (Pipeline:Deploy:Serving:MaxBatchRows)");
        }

        var features = served.Encoder.FeatureCount;
        var outputs = served.Network.Spec.Outputs;
        var input = ArrayPool<float>.Shared.Rent(rows * features);
        var output = ArrayPool<float>.Shared.Rent(rows * outputs);
        try
        {
            var errors = new List<FieldError>();
            var warnings = new List<FieldError>();
            var ignored = new SortedSet<string>(StringComparer.Ordinal);
            if (root.ValueKind == JsonValueKind.Object)
            {
                served.Encoder.TryEncode(root, 0, input.AsSpan(0, features), errors, warnings, ignored);
            }
            else
            {
                var i = 0;
                foreach (var row in root.EnumerateArray())
                {
                    served.Encoder.TryEncode(row, i, input.AsSpan(i * features, features), errors, warnings, ignored);
                    i++;
                }
            }

            if (errors.Count > 0)
            {
                ArrayPool<float>.Shared.Return(output);
                return (null, new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid feature values", errors[0].Field, errors[0].Message, errors));
            }

            served.Network.Predict(input.AsSpan(0, rows * features), rows, output.AsSpan(0, rows * outputs));
            if (NonFiniteRow(served, output.AsSpan(0, rows * outputs), rows) is { } bad)
            {
                ArrayPool<float>.Shared.Return(output);
                return Refuse(StatusCodes.Status422UnprocessableEntity, "No finite prediction", "body", $"row {bad}: the model's answer is not a finite number; its values are too far outside the range the model was trained on");
            }

            ServingMetrics.Predicted(served.Name, rows, started);
            return (new Prediction(served, output, rows, warnings, ignored), null);
        }
        catch
        {
            ArrayPool<float>.Shared.Return(output);
            throw;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
        }
    }

    private static (Prediction?, PredictionRefusal?) Refuse(int status, string title, string field, string detail) =>
        (null, new PredictionRefusal(status, title, field, detail));

    /// <summary>
    /// The first row whose prediction (in the target's unit for regression) is NaN or infinite, or null: a value such as
    /// 1e308 is finite but overflows once scaled, and JSON has no number for the result.
    /// </summary>
    private static int? NonFiniteRow(ServedModel served, ReadOnlySpan<float> output, int rows)
    {
        var width = output.Length / rows;
        for (var r = 0; r < rows; r++)
        {
            var row = output.Slice(r * width, width);
            var finite = served.IsClassification ? AllFinite(row) : double.IsFinite(served.Transform.DecodeTarget(row[0]));
            if (!finite)
            {
                return r;
            }
        }

        return null;
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
