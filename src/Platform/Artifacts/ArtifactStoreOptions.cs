namespace Pipeline.Platform.Artifacts;

/// <summary>Settings of the artifact store, bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class ArtifactStoreOptions
{
    public const string SectionName = "Pipeline:Storage";

    /// <summary>The default folder of the local store, relative to the current directory.</summary>
    public const string DefaultRoot = ".pipeline/objects";

    /// <summary><c>local</c> (a folder; the default) or <c>s3</c>.</summary>
    public string Provider { get; set; } = "local";

    /// <summary>Local store: the root folder; each bucket is a subfolder. Relative paths start at the current directory.</summary>
    public string Root { get; set; } = DefaultRoot;

    /// <summary>Local store: flush each object to disk before it becomes visible (slower, survives power loss).</summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>S3: <c>host:port</c>, or a URL whose scheme decides TLS (<c>http://host:9000</c>).</summary>
    public string? Endpoint { get; set; }

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>
    /// S3: connect with TLS (https). Off by default; an endpoint written as <c>https://host:port</c> turns it on and
    /// <c>http://host:port</c> off, whatever this says. The server certificate is verified, host name included.
    /// </summary>
    public bool UseSsl { get; set; }

    /// <summary>
    /// S3 over TLS: a PEM file of the CA certificates that signed the endpoint's certificate (a private CA, as the
    /// MinIO Operator issues); unset: the system's trust store. Only with TLS (a CA file for plain http is refused).
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>S3 region; a fixed one spares a bucket-location request per bucket.</summary>
    public string Region { get; set; } = "us-east-1";
}
