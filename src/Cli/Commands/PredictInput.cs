using System.Buffers;
using System.Text;
using System.Text.Json;
using Pipeline.Tabular.Csv;
using Pipeline.Tabular.Schema;

namespace Pipeline.Cli.Commands;

/// <summary>
/// The rows `pipeline predict` sends, as the user has them: `--input JSON`, `--input @FILE` (JSON in a file),
/// `--input -` (JSON on standard input), or `--csv FILE` (a header row and rows, sent as an array of objects).
/// </summary>
public static class PredictInput
{
    /// <summary>The JSON body to send; a usage error when none or two are given, or when the JSON does not parse.</summary>
    public static string Read(CommandLine line, TextReader standardInput)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(standardInput);
        var input = line.Value("--input");
        var csv = line.Value("--csv");
        if ((input is null) == (csv is null))
        {
            throw new UsageException("give the rows with one of --input JSON, --input @FILE, --input - (standard input) or --csv FILE.");
        }

        if (csv is not null)
        {
            return CsvAsJson(csv);
        }

        var (json, from) = input switch
        {
            "-" => (standardInput.ReadToEnd(), "standard input"),
            ['@', .. var path] => (ReadFile(path, "--input"), path),
            _ => (input!, "--input"),
        };
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{from} is not valid JSON: {ex.Message}");
        }

        return json;
    }

    /// <summary>
    /// Each data row as an object keyed by the header. A field that reads as a number is sent as a JSON number (a
    /// code with leading zeros such as 007 stays text); an empty or NA field is null, which the model imputes as in
    /// training; anything else is a string.
    /// </summary>
    public static string CsvAsJson(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new UsageException($"--csv {path}: no such file.");
        }

        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using var source = CsvSource.OpenFile(path, new CsvLimits());
            using var writer = new Utf8JsonWriter(buffer);
            writer.WriteStartArray();
            while (source.MoveNext())
            {
                var row = source.Current;
                writer.WriteStartObject();
                for (var c = 0; c < source.Columns.Count; c++)
                {
                    writer.WritePropertyName(source.Columns[c]);
                    WriteField(writer, row[c].Trim());
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        catch (DatasetValidationException ex)
        {
            throw new CommandFailedException($"--csv {ex.Message}", ExitCodes.Usage);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteField(Utf8JsonWriter writer, ReadOnlySpan<char> text)
    {
        if (ValueParser.IsMissing(text))
        {
            writer.WriteNullValue();
        }
        else if (ValueParser.TryNumber(text, out var number) && double.IsFinite(number) && !IsCode(text))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    /// <summary>Digits with a leading zero (007, 01234): an identifier or postal code, where the zero matters.</summary>
    private static bool IsCode(ReadOnlySpan<char> text) => text.Length > 1 && text[0] == '0' && char.IsAsciiDigit(text[1]);

    private static string ReadFile(string path, string option)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{option} @{path}: {ex.Message}");
        }
    }
}
