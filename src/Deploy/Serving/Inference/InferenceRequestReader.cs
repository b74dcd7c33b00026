using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pipeline.Tabular.Text;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Serving.Inference;

/// <summary>An inference request turned into the rows <c>/predict</c> takes: a JSON array of objects, one per row.</summary>
public sealed record InferenceRows(string? Id, IReadOnlyList<string>? RequestedOutputs, ReadOnlyMemory<byte> RowsJson);

/// <summary>
/// Reads an Open Inference Protocol request (<c>{"id", "parameters", "inputs": [{name, shape, datatype, data}],
/// "outputs": [{name}]}</c>) and writes its tensors as rows of raw values keyed by column name, so that the one
/// <see cref="RowEncoder"/> checks and encodes them exactly as it does for <c>/predict</c>. One tensor per column,
/// shape [N] or [N, 1], <c>data</c> flat or nested in row-major order; JSON <c>null</c> is a missing value (imputed
/// as in training). This layer checks only what belongs to the protocol (shapes, data types, element counts);
/// unknown, missing and ill-valued columns are refused by the encoder with its own words.
/// </summary>
public static class InferenceRequestReader
{
    /// <summary>Reads <paramref name="root"/>; a refusal names the input at fault.</summary>
    public static (InferenceRows? Rows, PredictionRefusal? Refusal) Read(JsonElement root, FittedTransform transform, IReadOnlyList<string> outputNames, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(transform);
        ArgumentNullException.ThrowIfNull(outputNames);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Refuse("body", $"the body must be an inference request object {{\"inputs\": [...]}}, not a JSON {Kind(root)}");
        }

        string? id = null;
        if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            if (idElement.ValueKind != JsonValueKind.String)
            {
                return Refuse("id", $"'id' must be a string, not a JSON {Kind(idElement)}");
            }

            id = idElement.GetString();
        }

        if (CheckParameters(root, "parameters", "the request") is { } parameterError)
        {
            return (null, parameterError);
        }

        var (requested, outputError) = ReadRequestedOutputs(root, outputNames);
        if (outputError is not null)
        {
            return (null, outputError);
        }

        if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
        {
            return Refuse("inputs", "'inputs' must be a non-empty array of tensors {\"name\", \"shape\", \"datatype\", \"data\"}, one per feature column");
        }

        var tensors = new List<(string Name, List<JsonElement> Values)>();
        var rows = -1;
        foreach (var input in inputs.EnumerateArray())
        {
            var (tensor, refusal) = ReadTensor(input, tensors.Count, transform, maxRows);
            if (refusal is not null)
            {
                return (null, refusal);
            }

            var (name, values) = tensor;
            if (tensors.Exists(t => t.Name == name))
            {
                return Refuse(name, $"input '{SafeText.Echo(name)}' is given twice");
            }

            if (rows >= 0 && values.Count != rows)
            {
                return Refuse(name, $"input '{SafeText.Echo(name)}' has {values.Count} rows but '{SafeText.Echo(tensors[0].Name)}' has {rows}: every input holds one value per row");
            }

            rows = values.Count;
            tensors.Add((name, values));
        }

        return (new InferenceRows(id, requested, WriteRows(tensors, rows)), null);
    }

    private static ((string Name, List<JsonElement> Values) Tensor, PredictionRefusal? Refusal) ReadTensor(JsonElement input, int index, FittedTransform transform, int maxRows)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return Fail("inputs", $"inputs[{index}] must be a tensor object, not a JSON {Kind(input)}");
        }

        if (!input.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || nameElement.GetString() is not { Length: > 0 } name)
        {
            return Fail("inputs", $"inputs[{index}] has no 'name' (the feature column it holds)");
        }

        if (!input.TryGetProperty("datatype", out var typeElement) || typeElement.ValueKind != JsonValueKind.String
            || typeElement.GetString() is not { } datatype || !InferenceDatatypes.All.Contains(datatype, StringComparer.Ordinal))
        {
            return Fail(name, $"input '{SafeText.Echo(name)}': 'datatype' must be one of {string.Join(", ", InferenceDatatypes.All)}");
        }

        var column = transform.Columns.FirstOrDefault(c => c.Name == name);
        if (column is not null && !InferenceDatatypes.Fits(datatype, column.Kind))
        {
            return Fail(name, $"input '{SafeText.Echo(name)}' is {datatype}, but the model reads '{SafeText.Echo(name)}' as {column.Kind.ToString().ToLowerInvariant()}: send {InferenceDatatypes.Expected(column.Kind)}");
        }

        if (CheckParameters(input, "parameters", $"input '{SafeText.Echo(name)}'") is { } parameterError)
        {
            return (default, parameterError);
        }

        var (rows, shapeError) = ReadShape(input, name, maxRows);
        if (shapeError is not null)
        {
            return (default, shapeError);
        }

        if (!input.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return Fail(name, $"input '{SafeText.Echo(name)}' has no 'data' array");
        }

        var values = new List<JsonElement>(rows);
        if (Flatten(data, values, rows, depth: 0) is { } dataError)
        {
            return Fail(name, $"input '{SafeText.Echo(name)}': {dataError}");
        }

        if (values.Count != rows)
        {
            return Fail(name, $"input '{SafeText.Echo(name)}' has {values.Count} values in 'data' but its shape says {rows}");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (CheckElement(values[i], datatype) is { } elementError)
            {
                return Fail(name, $"input '{SafeText.Echo(name)}', row {i}: {elementError}");
            }
        }

        return ((name, values), null);
    }

    /// <summary>[N] or [N, 1]; N rows, at least one and at most the batch limit.</summary>
    private static (int Rows, PredictionRefusal? Refusal) ReadShape(JsonElement input, string name, int maxRows)
    {
        var usage = $"input '{SafeText.Echo(name)}': 'shape' must be [N] or [N, 1] (one value per row)";
        if (!input.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array || shape.GetArrayLength() is not (1 or 2))
        {
            return (0, new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid tensor", name, usage));
        }

        var dims = shape.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) ? v : -1).ToArray();
        if (dims.Any(d => d < 0) || (dims.Length == 2 && dims[1] != 1))
        {
            return (0, new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid tensor", name, $"{usage}, got {SafeText.Echo(shape.GetRawText())}"));
        }

        if (dims[0] == 0)
        {
            return (0, new PredictionRefusal(StatusCodes.Status400BadRequest, "Empty batch", name, $"input '{SafeText.Echo(name)}' has no rows"));
        }

        if (dims[0] > maxRows)
        {
            return (0, new PredictionRefusal(StatusCodes.Status413PayloadTooLarge, "Batch too large", name, $"{dims[0]} rows is over the limit of {maxRows} (Pipeline:Deploy:Serving:MaxBatchRows)"));
        }

        return ((int)dims[0], null);
    }

    /// <summary>Row-major elements of flat or nested <paramref name="data"/>; stops past <paramref name="limit"/> elements.</summary>
    private static string? Flatten(JsonElement data, List<JsonElement> values, int limit, int depth)
    {
        if (depth > 2)
        {
            return "'data' is nested deeper than the shape";
        }

        foreach (var element in data.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                if (Flatten(element, values, limit, depth + 1) is { } error)
                {
                    return error;
                }
            }
            else
            {
                values.Add(element);
            }

            if (values.Count > limit)
            {
                return $"'data' holds more values than its shape ({limit})";
            }
        }

        return null;
    }

    /// <summary>An element of the tensor's own data type, or null (a missing value).</summary>
    private static string? CheckElement(JsonElement element, string datatype)
    {
        var ok = element.ValueKind == JsonValueKind.Null || datatype switch
        {
            InferenceDatatypes.Bool => element.ValueKind is JsonValueKind.True or JsonValueKind.False,
            InferenceDatatypes.Bytes => element.ValueKind == JsonValueKind.String,
            _ when InferenceDatatypes.IsSigned(datatype) => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out _),
            _ when InferenceDatatypes.IsUnsigned(datatype) => element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out _),
            _ => element.ValueKind == JsonValueKind.Number,
        };
        return ok ? null : $"{ShowElement(element)} is not a {datatype} value";
    }

    private static (IReadOnlyList<string>? Names, PredictionRefusal? Refusal) ReadRequestedOutputs(JsonElement root, IReadOnlyList<string> outputNames)
    {
        if (!root.TryGetProperty("outputs", out var outputs) || outputs.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        var usage = $"'outputs' must be an array of {{\"name\"}} naming some of: {string.Join(", ", outputNames)}";
        if (outputs.ValueKind != JsonValueKind.Array)
        {
            return (null, new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid request", "outputs", usage));
        }

        var names = new List<string>();
        foreach (var output in outputs.EnumerateArray())
        {
            if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
            {
                return (null, new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid request", "outputs", usage));
            }

            var name = n.GetString()!;
            if (!outputNames.Contains(name, StringComparer.Ordinal))
            {
                return (null, new PredictionRefusal(StatusCodes.Status400BadRequest, "Unknown output", "outputs", $"unknown output '{SafeText.Echo(name)}'; this model's outputs are {string.Join(", ", outputNames)}"));
            }

            if (CheckParameters(output, "parameters", $"output '{SafeText.Echo(name)}'") is { } parameterError)
            {
                return (null, parameterError);
            }

            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return (names, null);
    }

    /// <summary>
    /// Parameters are accepted and ignored, except those asking for the binary tensor extension, which this server
    /// does not speak: refused rather than answered in a form the client would misread.
    /// </summary>
    private static PredictionRefusal? CheckParameters(JsonElement owner, string property, string what)
    {
        if (!owner.TryGetProperty(property, out var parameters) || parameters.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid request", "parameters", $"the parameters of {what} must be a JSON object");
        }

        foreach (var p in parameters.EnumerateObject())
        {
            var binary = p.Name is "binary_data_size" || (p.Name is "binary_data" or "binary_data_output" && p.Value.ValueKind == JsonValueKind.True);
            if (binary)
            {
                return new PredictionRefusal(StatusCodes.Status400BadRequest, "Binary data not supported", "parameters", $"{what} asks for binary tensor data ('{p.Name}'); this server reads and writes tensors as JSON only");
            }
        }

        return null;
    }

    private static ReadOnlyMemory<byte> WriteRows(List<(string Name, List<JsonElement> Values)> tensors, int rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var r = 0; r < rows; r++)
            {
                writer.WriteStartObject();
                foreach (var (name, values) in tensors)
                {
                    writer.WritePropertyName(name);
                    values[r].WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenMemory;
    }

    private static (InferenceRows?, PredictionRefusal?) Refuse(string field, string detail) =>
        (null, new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid inference request", field, detail));

    private static ((string, List<JsonElement>), PredictionRefusal?) Fail(string field, string detail) =>
        (default, new PredictionRefusal(StatusCodes.Status400BadRequest, "Invalid tensor", field, detail));

    private static string ShowElement(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length <= 40 ? raw : string.Create(CultureInfo.InvariantCulture, $"{raw[..40]}…");
    }

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
