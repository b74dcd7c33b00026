namespace Pipeline.Tabular.Csv;

/// <summary>Limits that protect a service from inputs that would exhaust it; each error names its setting.</summary>
public sealed record CsvLimits
{
    /// <summary>Most (uncompressed) bytes a file may have. Setting <c>Pipeline:Ingest:MaxFileBytes</c>.</summary>
    public long MaxFileBytes { get; init; } = 20L << 30;

    /// <summary>Most bytes one line may have. Setting <c>Pipeline:Ingest:MaxLineBytes</c>.</summary>
    public int MaxLineBytes { get; init; } = 1 << 20;
}
