using System.Globalization;
using Pipeline.Deploy.Deployment;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Deploy.Registry;

/// <summary>
/// The registry's half of the orphan check, as a pure function over its rows and the objects of its bucket:
/// versions whose files are not all there, and <c>{name}/{version}/</c> prefixes (or other keys) no version owns,
/// for example the files of a candidate removed after a failed store. A candidate younger than
/// <see cref="RetentionOptions.OrphanGrace"/> may still be storing its files and is not reported; an orphan prefix
/// is deleted only when asked and when all its objects are older than that grace (a retry may be writing it).
/// </summary>
public static class RegistryCheck
{
    /// <summary>The files every version has once deployed (what serving, rollback and the model card read).</summary>
    public static readonly IReadOnlyList<string> VersionFiles =
        [ModelArtifactKeys.ModelFile, ModelArtifactKeys.TransformFile, ModelArtifactKeys.OnnxFile, ModelArtifactKeys.CardFile];

    public static RegistryGcReport Find(string bucket, IReadOnlyList<ModelVersionRecord> rows, IReadOnlyList<ArtifactInfo> objects, RetentionOptions options, DateTimeOffset now, bool dryRun, bool deleteOrphans)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(options);
        var present = objects.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var missing = new List<MissingArtifacts>();
        foreach (var row in rows.Where(r => r.ArtifactBucket == bucket))
        {
            var absent = VersionFiles.Where(f => !present.Contains(ModelArtifactKeys.Key(row.Name, row.Version, f))).ToList();
            var inProgress = row.Stage == ModelStage.Candidate && now - new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)) < options.OrphanGrace;
            if (absent.Count > 0 && !inProgress)
            {
                missing.Add(new MissingArtifacts(row.Name, row.Version, row.JobId, row.Stage.ToString().ToLowerInvariant(), absent));
            }
        }

        var owned = rows.Where(r => r.ArtifactBucket == bucket).Select(r => ModelArtifactKeys.Prefix(r.Name, r.Version)).ToHashSet(StringComparer.Ordinal);
        var orphans = objects
            .Where(o => !owned.Contains(PrefixOf(o.Key)))
            .GroupBy(o => PrefixOf(o.Key), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var old = g.All(o => now - o.LastModified >= options.OrphanGrace);
                return new OrphanPrefix(g.Key, g.Count(), g.Sum(o => o.Size), Delete: deleteOrphans && old && IsVersionPrefix(g.Key), [.. g.Select(o => o.Key)]);
            })
            .ToList();
        return new RegistryGcReport(bucket, dryRun, rows.Count, missing, orphans);
    }

    /// <summary>The <c>{name}/{version}/</c> a key lies under, or the key itself when it has no such shape.</summary>
    internal static string PrefixOf(string key)
    {
        var first = key.IndexOf('/', StringComparison.Ordinal);
        var second = first < 0 ? -1 : key.IndexOf('/', first + 1);
        return second < 0 ? key : key[..(second + 1)];
    }

    /// <summary>Only what looks like a version's folder is ever deleted; other keys are reported for a person.</summary>
    private static bool IsVersionPrefix(string prefix) =>
        prefix.EndsWith('/') && prefix.Split('/') is [{ Length: > 0 }, var version, ""] && int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out _);
}

/// <summary>
/// The answer of <c>POST /api/registry/gc</c>: versions whose files are missing (serving or rollback to them would
/// fail; <c>pipeline redeploy JOB</c> stores them again) and orphan prefixes with their sizes, deleted or not.
/// </summary>
public sealed record RegistryGcReport(string Bucket, bool DryRun, int Versions, IReadOnlyList<MissingArtifacts> MissingArtifacts, IReadOnlyList<OrphanPrefix> Orphans)
{
    public int OrphanObjects => Orphans.Sum(o => o.Objects);

    public long OrphanBytes => Orphans.Sum(o => o.Bytes);

    public int DeletedObjects => Orphans.Where(o => o.Delete).Sum(o => o.Objects);

    public long DeletedBytes => Orphans.Where(o => o.Delete).Sum(o => o.Bytes);
}

/// <summary>A registry version and the files of it the bucket does not have.</summary>
public sealed record MissingArtifacts(string Name, int Version, Guid JobId, string Stage, IReadOnlyList<string> Files);

/// <summary>Objects under a prefix no version owns; <see cref="Delete"/>: deleted (in a dry run: would be).</summary>
public sealed record OrphanPrefix(string Prefix, int Objects, long Bytes, bool Delete, IReadOnlyList<string> Keys);
