namespace Pipeline.Deploy;

/// <summary>Bound from <c>Pipeline:Deploy</c>.</summary>
public sealed class DeployOptions
{
    public const string Section = "Pipeline:Deploy";

    /// <summary>Bucket of the registry's artifacts: <c>{bucket}/{name}/{version}/</c>.</summary>
    public string Bucket { get; set; } = "models";

    /// <summary>
    /// How much worse than production a new version's test metric may be and still be promoted, as a fraction of
    /// the production value (0.01: RMSE up to 1 % higher, accuracy up to 1 % lower).
    /// </summary>
    public double GateTolerance { get; set; } = 0.01;

    /// <summary>Rows the ML.NET baseline trains on at most (a sample beyond that keeps deployment time bounded).</summary>
    public int BaselineMaxRows { get; set; } = 200_000;

    /// <summary>Off turns the FastTree baseline off (the model card then says so).</summary>
    public bool Baseline { get; set; } = true;

    public ServingOptions Serving { get; set; } = new();
}

/// <summary>Bound from <c>Pipeline:Deploy:Serving</c>.</summary>
public sealed class ServingOptions
{
    /// <summary>Rows one <c>/predict</c> request may carry.</summary>
    public int MaxBatchRows { get; set; } = 10_000;

    /// <summary>Bytes one <c>/predict</c> body may have.</summary>
    public int MaxBodyBytes { get; set; } = 8 << 20;

    /// <summary>Non-production versions kept loaded (asked for by <c>/predict/{model}/{version}</c>).</summary>
    public int MaxCachedVersions { get; set; } = 16;
}
