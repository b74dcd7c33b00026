namespace Pipeline.Orchestrator;

/// <summary>Default model name when the job spec gives none: the file name without its extensions, tidied.</summary>
public static class ModelNames
{
    public static string FromKey(string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        foreach (var ext in new[] { ".gz", ".csv", ".tsv", ".txt" })
        {
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^ext.Length];
            }
        }

        var tidy = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        return tidy.Length == 0 ? "model" : tidy;
    }
}
