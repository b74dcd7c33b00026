namespace Pipeline.Contracts.Api;

/// <summary>Media types the HTTP API names on both sides (the submit route accepts them, the client sends them).</summary>
public static class MediaTypes
{
    /// <summary>Parquet's registered media type (IANA, 2024).</summary>
    public const string Parquet = "application/vnd.apache.parquet";
}
