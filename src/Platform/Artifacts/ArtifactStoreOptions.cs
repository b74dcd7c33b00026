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

    public bool UseSsl { get; set; }

    /// <summary>S3 region; a fixed one spares a bucket-location request per bucket.</summary>
    public string Region { get; set; } = "us-east-1";
}
