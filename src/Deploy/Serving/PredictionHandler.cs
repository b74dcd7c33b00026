using System.Buffers;
using System.Text.Unicode;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Pipeline.Deploy.Serving;

/// <summary>
/// <c>POST /predict/{model}[/{version}]</c>: one JSON object or an array of objects of raw values keyed by the
/// original column names. Answers
/// <c>{"model","version","predictions":[{"value"} | {"label","probabilities":{class: p}}],"warnings":[…],"ignored":[…]}</c>
/// (<c>ignored</c>: the columns sent that the model does not use, the target and those dropped in training).
/// Every refusal is a 4xx problem body naming the field; refusals are cheap and never touch the model.
/// </summary>
public sealed class PredictionHandler(ModelCache cache, IOptions<DeployOptions> options)
{
    public async Task<IResult> HandleAsync(HttpContext http, string model, string? version)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var o = options.Value.Serving;
        var ct = http.RequestAborted;
        ServedModel? served;
        if (version is null)
        {
            served = await cache.GetProductionAsync(model, ct);
            if (served is null)
            {
                return Problems.Write(StatusCodes.Status404NotFound, "Unknown model", "model", $"no production version of model '{model}' (GET /models lists them)");
            }
        }
        else
        {
            if (!int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                return Problems.Write(StatusCodes.Status404NotFound, "Unknown version", "version", $"'{version}' is not a version number");
            }

            served = await cache.GetVersionAsync(model, number, ct);
            if (served is null)
            {
                return Problems.Write(StatusCodes.Status404NotFound, "Unknown version", "version", $"model '{model}' has no version {number}");
            }
        }

        var body = await ReadBodyAsync(http.Request, o.MaxBodyBytes, ct);
        if (body is null)
        {
            return Problems.Write(StatusCodes.Status413PayloadTooLarge, "Body too large", "body", $"the body is over {o.MaxBodyBytes} bytes (Pipeline:Deploy:Serving:MaxBodyBytes)");
        }

        try
        {
            // The parser checks UTF-8 only where it reads a string, as an exception deep in encoding: refuse it here.
            if (!Utf8.IsValid(body.Value.Memory.Span))
            {
                return Problems.Write(StatusCodes.Status400BadRequest, "The body is not valid UTF-8", "body", "send JSON encoded as UTF-8");
            }

            using var document = JsonDocument.Parse(body.Value.Memory);
            return Predict(served, document.RootElement, o.MaxBatchRows, started);
        }
        catch (JsonException ex)
        {
            return Problems.InvalidJson(ex);
        }
        finally
        {
            body.Value.Return();
        }
    }

    private static IResult Predict(ServedModel served, JsonElement root, int maxRows, long started)
    {
        var rows = root.ValueKind switch
        {
            JsonValueKind.Array => root.GetArrayLength(),
            JsonValueKind.Object => 1,
            _ => -1,
        };
        if (rows < 0)
        {
            return Problems.Write(StatusCodes.Status400BadRequest, "Unexpected body", "body", $"the body must be a JSON object (one row) or an array of objects, not a {root.ValueKind.ToString().ToLowerInvariant()}");
        }

        if (rows == 0)
        {
            return Problems.Write(StatusCodes.Status400BadRequest, "Empty batch", "body", "the array has no rows");
        }

        if (rows > maxRows)
        {
            return Problems.Write(StatusCodes.Status413PayloadTooLarge, "Batch too large", "body", $"{rows} rows is over the limit of {maxRows} (Pipeline:Deploy:Serving:MaxBatchRows)");
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
                return Problems.FromErrors(errors);
            }

            served.Network.Predict(input.AsSpan(0, rows * features), rows, output.AsSpan(0, rows * outputs));
            if (NonFiniteRow(served, output.AsSpan(0, rows * outputs), rows) is { } bad)
            {
                ArrayPool<float>.Shared.Return(output);
                return Problems.Write(StatusCodes.Status422UnprocessableEntity, "No finite prediction", "body", $"row {bad}: the model's answer is not a finite number; its values are too far outside the range the model was trained on");
            }

            ServingMetrics.Predicted(served.Name, rows, started);
            return new PredictionResult(served, output, rows, warnings, ignored);
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

    /// <summary>The whole body in a pooled buffer, or null when it is over the limit (refused before reading it all when the length is declared).</summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit + 1L;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 16 << 10, limit) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }

        if (length > limit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }

        return new PooledBody(buffer, length);
    }

    private readonly record struct PooledBody(byte[] Buffer, int Length)
    {
        public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

        public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
    }
}
