using System.Globalization;
using System.Text.Json;
using Pipeline.Tabular.Schema;
using Pipeline.Tabular.Transforms;

namespace Pipeline.Deploy.Serving;

/// <summary>A problem with one field of one row of a request.</summary>
public sealed record FieldError(int Row, string Field, string Message);

/// <summary>
/// Turns one JSON row of raw values into model features, strictly: the transform itself is lenient (it imputes
/// anything it cannot read), but a serving client should hear about a typo or a wrong type instead of getting a
/// prediction from imputed values. Rules:
/// every feature column must be present (explicit <c>null</c> means missing and is imputed as in training); no
/// unknown keys, but the target column and the columns dropped in training are ignored and reported (a row as the
/// user has it in the training file is accepted); numeric columns take finite JSON numbers; booleans take
/// true/false (or "yes"/"no"); dates take "yyyy-MM-dd…" strings; categorical columns take strings or numbers, and a
/// category not seen in training is encoded as the transform defines (all zeros) with a warning.
/// The values it accepts go through the same <see cref="FeatureEncoder"/> as training, so the features match
/// <see cref="FittedTransform.Apply(JsonElement)"/> for every row this accepts.
/// </summary>
public sealed class RowEncoder
{
    private readonly FittedTransform _transform;
    private readonly Dictionary<string, int> _columnIndex;
    private readonly int[] _offsets;
    private readonly HashSet<string> _ignored;

    public RowEncoder(FittedTransform transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        _transform = transform;
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        _offsets = new int[transform.Columns.Count];
        var offset = 0;
        for (var i = 0; i < transform.Columns.Count; i++)
        {
            _columnIndex[transform.Columns[i].Name] = i;
            _offsets[i] = offset;
            offset += transform.Columns[i].FeatureCount;
        }

        FeatureCount = offset;
        _ignored = new HashSet<string>(transform.DroppedColumns, StringComparer.Ordinal) { transform.Target };
    }

    public int FeatureCount { get; }

    /// <summary>Encodes <paramref name="row"/> into <paramref name="features"/>; returns false and adds errors when the row is refused.</summary>
    public bool TryEncode(JsonElement row, int rowIndex, Span<float> features, List<FieldError> errors, List<FieldError> warnings) =>
        TryEncode(row, rowIndex, features, errors, warnings, ignored: null);

    /// <summary>As above; the columns of the row that the model does not use (target, dropped) are added to <paramref name="ignored"/>.</summary>
    public bool TryEncode(JsonElement row, int rowIndex, Span<float> features, List<FieldError> errors, List<FieldError> warnings, ISet<string>? ignored)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        if (row.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new FieldError(rowIndex, "", $"row {rowIndex} is a JSON {Kind(row)}, not an object of column name to value"));
            return false;
        }

        var errorCount = errors.Count;
        Span<bool> seen = _transform.Columns.Count <= 256 ? stackalloc bool[_transform.Columns.Count] : new bool[_transform.Columns.Count];
        foreach (var property in row.EnumerateObject())
        {
            if (!_columnIndex.TryGetValue(property.Name, out var c))
            {
                if (_ignored.Contains(property.Name))
                {
                    ignored?.Add(property.Name);
                }
                else
                {
                    errors.Add(new FieldError(rowIndex, property.Name, $"unknown feature '{property.Name}'; the model's columns are {string.Join(", ", _columnIndex.Keys)}"));
                }

                continue;
            }

            if (seen[c])
            {
                errors.Add(new FieldError(rowIndex, property.Name, $"feature '{property.Name}' is given twice"));
                continue;
            }

            seen[c] = true;
            var column = _transform.Columns[c];
            var destination = features.Slice(_offsets[c], column.FeatureCount);
            var message = Encode(column, property.Value, destination, out var warning);
            if (message is not null)
            {
                errors.Add(new FieldError(rowIndex, property.Name, message));
            }
            else if (warning is not null)
            {
                warnings.Add(new FieldError(rowIndex, property.Name, warning));
            }
        }

        for (var c = 0; c < seen.Length; c++)
        {
            if (!seen[c])
            {
                var name = _transform.Columns[c].Name;
                errors.Add(new FieldError(rowIndex, name, $"missing feature '{name}' (send null to have it imputed as in training)"));
            }
        }

        return errors.Count == errorCount;
    }

    /// <summary>Returns an error message, or null with the features written by the shared <see cref="FeatureEncoder"/>.</summary>
    private static string? Encode(ColumnTransform column, JsonElement value, Span<float> output, out string? warning)
    {
        warning = null;
        var error = Read(column, value, out var text, out var number, out var date);
        if (error is not null)
        {
            return error;
        }

        var read = value.ValueKind == JsonValueKind.Null || (column.Kind == ColumnKind.Categorical && ValueParser.IsMissing(text))
            ? ColumnValue.Missing
            : column.Kind switch
            {
                ColumnKind.Date => ColumnValue.Of(date),
                ColumnKind.Categorical => ColumnValue.Of(text.AsSpan().Trim()),
                _ => ColumnValue.Of(number),
            };
        if (!FeatureEncoder.Encode(column, read, output))
        {
            warning = $"category '{text?.Trim()}' of '{column.Name}' was not seen in training; encoded as no known category (all zeros)";
        }

        return null;
    }

    /// <summary>Checks the JSON type the column's kind needs and reads the value; returns an error message or null.</summary>
    private static string? Read(ColumnTransform column, JsonElement value, out string? text, out double number, out DateTime date)
    {
        text = null;
        number = 0;
        date = default;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (column.Kind)
        {
            case ColumnKind.Numeric:
                if (value.ValueKind == JsonValueKind.Number)
                {
                    return value.TryGetDouble(out number) && double.IsFinite(number)
                        ? null
                        : $"'{column.Name}' is {value.GetRawText()}, which is not a finite number";
                }

                return value.ValueKind == JsonValueKind.String && IsNonFinite(value.GetString())
                    ? $"'{column.Name}' is \"{value.GetString()}\": NaN and infinity are not accepted (send null for a missing value)"
                    : $"'{column.Name}' must be a number, got a JSON {Kind(value)}";

            case ColumnKind.Boolean:
                bool b;
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    b = value.GetBoolean();
                }
                else if (value.ValueKind != JsonValueKind.String || !ValueParser.TryBoolean(value.GetString(), out b))
                {
                    return $"'{column.Name}' must be true or false, got {Show(value)}";
                }

                number = b ? 1 : 0;
                return null;

            case ColumnKind.Date:
                return value.ValueKind == JsonValueKind.String && ValueParser.TryDate(value.GetString(), out date)
                    ? null
                    : $"'{column.Name}' must be a date written year first (yyyy-MM-dd), got {Show(value)}";

            case ColumnKind.Categorical:
                text = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                };
                return text is null ? $"'{column.Name}' must be a string, got a JSON {Kind(value)}" : null;

            default:
                return null;
        }
    }

    private static bool IsNonFinite(string? text) =>
        text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsFinite(d);

    private static string Show(JsonElement value) => value.ValueKind == JsonValueKind.String ? $"\"{value.GetString()}\"" : $"a JSON {Kind(value)}";

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
