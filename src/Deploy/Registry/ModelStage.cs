namespace Pipeline.Deploy.Registry;

/// <summary>Where a version stands. At most one version of a name is <see cref="Production"/> at a time.</summary>
public enum ModelStage
{
    /// <summary>Registered, gate not decided yet.</summary>
    Candidate,

    /// <summary>Served by <c>/predict/{model}</c>.</summary>
    Production,

    /// <summary>Was production, replaced by a newer version or a rollback; can be rolled back to.</summary>
    Archived,

    /// <summary>Failed the quality gate; never served as production.</summary>
    Rejected,
}
