namespace Pipeline.Tabular.Naming;

/// <summary>
/// The one rule for model names, which appear in object keys and URLs: what a name may be, and the default a job gets
/// from its file when it names none. Ingest checks a given name when the job is submitted; the saga and Deploy use
/// the same rule, so a name that is accepted is never refused after training.
/// </summary>
public static class ModelNames
{
    public const int MaxLength = 128;

    /// <summary>1-128 characters: ASCII letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name[0] != '.'
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Why a name is refused, for a 400 or a failed deployment.</summary>
    public static string Rule => $"use 1-{MaxLength} ASCII letters, digits, '-', '_' or '.', not starting with '.'";

    /// <summary>The default: the file name without directories and without .gz/.csv/.tsv/.txt/.parquet, lower-cased, other characters as '-'.</summary>
    public static string FromKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var name = key[(key.LastIndexOf('/') + 1)..];
        foreach (var ext in new[] { ".gz", ".csv", ".tsv", ".txt", ".parquet" })
        {
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^ext.Length];
            }
        }

        var tidy = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        tidy = tidy.Length > MaxLength ? tidy[..MaxLength] : tidy;
        return tidy.Length == 0 ? "model" : tidy;
    }
}
