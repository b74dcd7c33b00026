using Pipeline.Platform.Artifacts;

namespace Pipeline.Orchestrator.Retention;

/// <summary>
/// The answer of <c>POST /api/gc</c>: per job, what was (or in a dry run would be) deleted and what is kept, with
/// sizes; the orphans (job prefixes the saga does not know, keys outside any job prefix) reported apart.
/// </summary>
public sealed record ArtifactGcReport
{
    public required string JobsBucket { get; init; }
    public required bool DryRun { get; init; }
    public required int DeletedObjects { get; init; }
    public required long DeletedBytes { get; init; }
    public required int KeptObjects { get; init; }
    public required long KeptBytes { get; init; }

    /// <summary>Objects with no job: under an unknown job's prefix, or outside any job prefix (never deleted).</summary>
    public required int OrphanObjects { get; init; }
    public required long OrphanBytes { get; init; }

    /// <summary>Jobs with anything deleted or orphaned; jobs that only keep are counted in the totals.</summary>
    public required IReadOnlyList<JobGcEntry> Jobs { get; init; }

    /// <summary>Up to 20 keys outside any job prefix, for a person to look at.</summary>
    public required IReadOnlyList<string> ForeignKeys { get; init; }

    internal static ArtifactGcReport Of(string bucket, bool dryRun, IReadOnlyList<JobGcEntry> jobs, IReadOnlyList<ArtifactInfo> foreign) => new()
    {
        JobsBucket = bucket,
        DryRun = dryRun,
        DeletedObjects = jobs.Sum(j => j.DeletedObjects),
        DeletedBytes = jobs.Sum(j => j.DeletedBytes),
        KeptObjects = jobs.Sum(j => j.KeptObjects),
        KeptBytes = jobs.Sum(j => j.KeptBytes),
        OrphanObjects = jobs.Where(j => j.Orphan).Sum(j => j.DeletedObjects + j.KeptObjects) + foreign.Count,
        OrphanBytes = jobs.Where(j => j.Orphan).Sum(j => j.DeletedBytes + j.KeptBytes) + foreign.Sum(f => f.Size),
        Jobs = [.. jobs.Where(j => j.Orphan || j.DeletedObjects > 0)],
        ForeignKeys = [.. foreign.Take(20).Select(f => f.Key)],
    };
}

/// <summary>One job prefix: its state (null: the saga does not know it, an orphan), what goes and what stays, and why.</summary>
public sealed record JobGcEntry(Guid JobId, string? State, int DeletedObjects, long DeletedBytes, int KeptObjects, long KeptBytes, IReadOnlyList<string> Reasons)
{
    public bool Orphan => State is null;

    internal static JobGcEntry Of(Guid id, string? state, IReadOnlyList<ObjectDecision> decisions)
    {
        var deleted = decisions.Where(d => d.Delete).ToList();
        var kept = decisions.Where(d => !d.Delete).ToList();
        var reasons = decisions.GroupBy(d => (d.Delete, d.Reason))
            .Select(g => $"{(g.Key.Delete ? "delete" : "keep")} {g.Count()} ({g.Sum(d => d.Size)} bytes): {g.Key.Reason}")
            .ToList();
        return new JobGcEntry(id, state, deleted.Count, deleted.Sum(d => d.Size), kept.Count, kept.Sum(d => d.Size), reasons);
    }
}
