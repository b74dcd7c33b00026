using System.Globalization;

namespace Pipeline.Cli.Tests;

/// <summary>The samples of a Prometheus text exposition, for tests that compare two scrapes.</summary>
internal sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    public PrometheusText(string text)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            // name{labels} value [timestamp]; label values here never hold "} ".
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var close = brace < 0 ? -1 : line.LastIndexOf('}');
            var name = brace < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..brace];
            var labels = brace < 0 ? "" : line[(brace + 1)..close];
            var rest = (brace < 0 ? line[name.Length..] : line[(close + 1)..]).Trim().Split(' ')[0];
            _samples.Add((name, labels, double.Parse(rest, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
    }

    public IEnumerable<string> Names => _samples.Select(s => s.Name).Distinct(StringComparer.Ordinal);

    /// <summary>The sum of a metric's samples whose labels contain every one of <paramref name="labels"/> (<c>state="Deployed"</c>); 0 when none.</summary>
    public double Sum(string name, params string[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);
}
