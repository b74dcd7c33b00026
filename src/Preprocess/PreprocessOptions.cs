using Pipeline.Platform.Artifacts;

namespace Pipeline.Preprocess;

/// <summary>How missing numeric (and date) values are replaced.</summary>
public enum NumericImputation
{
    Mean,
    Median,
    MostFrequent,
}

/// <summary>Preprocess settings, bound from <c>Pipeline:Preprocess</c>.</summary>
public sealed class PreprocessOptions
{
    public const string Section = "Pipeline:Preprocess";

    /// <summary>Bucket for job outputs; objects go under <c>{jobId}/prep/</c>.</summary>
    public string Bucket { get; set; } = JobArtifactKeys.Bucket;

    public NumericImputation NumericImputation { get; set; } = NumericImputation.Mean;

    /// <summary>Categorical columns with more distinct values than this are dropped instead of one-hot encoded.</summary>
    public int MaxCategories { get; set; } = 50;

    public double ValidationFraction { get; set; } = 0.1;

    public double TestFraction { get; set; } = 0.1;

    /// <summary>Folder for the downloaded dataset and the shards before upload; the system temp folder when empty.</summary>
    public string? WorkFolder { get; set; }
}
