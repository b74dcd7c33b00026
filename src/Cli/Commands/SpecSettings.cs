using Pipeline.Contracts;
using Pipeline.Ingest.Spec;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `--set "KEY=VALUE ..."`: any job setting with the object-metadata vocabulary, read by the same parser and checked
/// against the same bounds as uploads and the HTTP API, so the CLI refuses what Ingest would refuse, before uploading.
/// </summary>
public static class SpecSettings
{
    public static JobSpec Apply(JobSpec spec, string? pairs) => Apply(spec, new Dictionary<string, string>(), pairs);

    /// <summary>
    /// Applies <paramref name="settings"/> (metadata key to value, from the training flags) and then
    /// <paramref name="pairs"/> (`--set`, which wins), and checks the result.
    /// </summary>
    public static JobSpec Apply(JobSpec spec, IReadOnlyDictionary<string, string> settings, string? pairs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(settings);
        var metadata = new Dictionary<string, string>(settings, StringComparer.Ordinal);
        foreach (var (key, value) in Pairs(pairs))
        {
            metadata[key] = value;
        }

        var (parsed, errors) = JobSpecMetadata.Parse(metadata, spec);
        var bounds = errors.Count > 0 ? errors : TrainingSettingsBounds.Check(parsed.Training);
        return bounds.Count > 0 ? throw new UsageException("job settings: " + string.Join(" ", bounds)) : parsed;
    }

    /// <summary>The KEY=VALUE pairs of `--set`, each key one of the object-metadata keys.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Pairs(string? pairs)
    {
        foreach (var pair in (pairs ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || !JobSpecMetadata.Keys.Contains(pair[..at]))
            {
                throw new UsageException($"--set: '{pair}' is not KEY=VALUE with a known key; keys: {string.Join(", ", JobSpecMetadata.Keys)}.");
            }

            yield return KeyValuePair.Create(pair[..at], pair[(at + 1)..]);
        }
    }
}
