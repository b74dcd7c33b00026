using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Contracts;

namespace Pipeline.Cli.Demo;

/// <summary>What the demo shows about the deployed version, asked of the running serving API like a user would.</summary>
public static class DeployedModelInfo
{
    /// <summary>Validation and baseline metrics of the version (in the target's unit), from <c>GET /models/{name}</c>.</summary>
    public static async Task<(ModelMetrics? Validation, ModelMetrics? Baseline)> DescribeAsync(HttpClient http, string name, int version, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"models/{Uri.EscapeDataString(name)}", cancellationToken));
        foreach (var v in doc.RootElement.GetProperty("versions").EnumerateArray())
        {
            if (v.GetProperty("version").GetInt32() != version)
            {
                continue;
            }

            var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            ModelMetrics? Read(string property) =>
                v.TryGetProperty(property, out var m) && m.ValueKind == JsonValueKind.Object ? m.Deserialize<ModelMetrics>(web) : null;
            return (Read("validation"), Read("baseline"));
        }

        return (null, null);
    }

    /// <summary>Sends the first data row of the CSV (without its target) to <c>POST /predict/{name}</c>.</summary>
    public static async Task<object> PredictFirstRowAsync(HttpClient http, string name, string csvPath, string target, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(csvPath);
        var header = (await reader.ReadLineAsync(cancellationToken))!.Split(',');
        var values = (await reader.ReadLineAsync(cancellationToken))!.Split(',');
        var row = new Dictionary<string, object?>();
        for (var i = 0; i < header.Length && i < values.Length; i++)
        {
            if (header[i] == target)
            {
                continue;
            }

            row[header[i]] = values[i].Length == 0 ? null
                : double.TryParse(values[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
                : values[i];
        }

        using var response = await http.PostAsJsonAsync($"predict/{Uri.EscapeDataString(name)}", row, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return new { input = row, status = (int)response.StatusCode, response = body };
    }
}
