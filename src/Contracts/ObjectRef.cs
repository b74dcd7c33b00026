namespace Pipeline.Contracts;

/// <summary>
/// A reference to an object in the artifact store. Big payloads never travel in messages; this does.
/// </summary>
/// <param name="Bucket">Bucket (or top-level folder in embedded mode).</param>
/// <param name="Key">Object key inside the bucket, '/'-separated.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content, so a reader can verify what it got.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record ObjectRef(string Bucket, string Key, string Sha256, long Size)
{
    public override string ToString() => $"{Bucket}/{Key}";
}
