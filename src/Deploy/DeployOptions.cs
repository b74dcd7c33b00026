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

    /// <summary>
    /// A model is deployed only if its test error (MSE, or the classification error rate) is at most 1 − this share of
    /// the trivial predictor's (training mean; majority class). 0.01: at least 1 % better.
    /// </summary>
    public double MinImprovementOverTrivial { get; set; } = 0.01;

    /// <summary>
    /// A model is deployed only if its test R² (classification: accuracy) is at most this much below the ML.NET
    /// baseline's on the same split. A job with <c>force-deploy</c> skips this and the trivial-predictor check.
    /// </summary>
    public double BaselineTolerance { get; set; } = 0.05;

    /// <summary>Rows the ML.NET baseline trains on at most (a uniform random sample of the training split beyond that keeps deployment time bounded).</summary>
    public int BaselineMaxRows { get; set; } = 200_000;

    /// <summary>
    /// Feature values the baseline's sample holds at most (4 bytes each: 200 MB by default), so a wide file samples
    /// fewer rows than <see cref="BaselineMaxRows"/>: 200,000 rows of 5,000 features would be 4 GB.
    /// </summary>
    public long BaselineMaxValues { get; set; } = 50_000_000;

    /// <summary>Off turns the boosted-trees baseline off (the model card then says so).</summary>
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

    /// <summary>
    /// Whether the deploy process also answers the registry routes (<c>/models</c>, <c>/api/models</c>, and rollback,
    /// an admin route, and the artifact downloads) beside <c>/predict</c> and <c>/v2</c>. False: a serving-only port, for
    /// exposing predictions and nothing else.
    /// </summary>
    public bool RegistryRoutes { get; set; } = true;
}
