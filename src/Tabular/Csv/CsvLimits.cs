namespace Pipeline.Tabular.Csv;

/// <summary>
/// Limits that protect a service from inputs that would exhaust it; each error names its setting. The defaults are
/// documented in docs/INGEST.md.
/// </summary>
public sealed record CsvLimits
{
    /// <summary>Most bytes a file may have as stored (compressed, for a .gz). Setting <c>Pipeline:Ingest:MaxFileBytes</c>.</summary>
    public long MaxFileBytes { get; init; } = 20L << 30;

    /// <summary>
    /// Most bytes a file may have once decompressed (the same as stored for plain text), so that a small gzip cannot
    /// expand without bound. Setting <c>Pipeline:Ingest:MaxDecompressedBytes</c>.
    /// </summary>
    public long MaxDecompressedBytes { get; init; } = 20L << 30;

    /// <summary>
    /// Most bytes one record may have: a line, or the lines a quoted field spans, so this also bounds every field.
    /// Setting <c>Pipeline:Ingest:MaxLineBytes</c>.
    /// </summary>
    public int MaxLineBytes { get; init; } = 1 << 20;

    /// <summary>Most columns the header may name (every later stage keeps state per column). Setting <c>Pipeline:Ingest:MaxColumns</c>.</summary>
    public int MaxColumns { get; init; } = 10_000;

    /// <summary>Most data rows a file may have. Setting <c>Pipeline:Ingest:MaxRows</c>.</summary>
    public long MaxRows { get; init; } = 1_000_000_000;

    /// <summary>No limit but the record length: for reading a file again that was validated with the limits already.</summary>
    public CsvLimits WithoutSizeLimits() => this with
    {
        MaxFileBytes = long.MaxValue,
        MaxDecompressedBytes = long.MaxValue,
        MaxColumns = int.MaxValue,
        MaxRows = long.MaxValue,
    };
}
