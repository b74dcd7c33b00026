using System.Globalization;

namespace Pipeline.Bench;

/// <summary>Minimal "--name value" / "--flag" parsing; the bench has a handful of options and no dependencies.</summary>
internal sealed class BenchArguments(string[] args)
{
    public bool Has(string flag) => args.Contains(flag, StringComparer.Ordinal);

    public string? Value(string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public int Int(string name, int fallback) =>
        Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
