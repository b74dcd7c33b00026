namespace Pipeline.Platform.Security;

/// <summary>How callers prove who they are.</summary>
public enum AuthenticationMode
{
    /// <summary>
    /// Nobody is asked: every caller acts as the local user with every role. Allowed only while every address the
    /// host listens on is a loopback address (the machine's own users are the only callers).
    /// </summary>
    None,

    /// <summary>API keys (bearer tokens) for the CLI, services and scripts; a session cookie for the dashboard.</summary>
    ApiKeys,
}

/// <summary>Security settings, bound from <c>Pipeline:Security</c>. Every default is documented in docs/SECURITY.md.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Pipeline:Security";

    /// <summary>
    /// <c>None</c> (the default, loopback only) or <c>ApiKeys</c>. A host that listens beyond loopback refuses to start
    /// with <c>None</c>.
    /// </summary>
    public AuthenticationMode Authentication { get; set; } = AuthenticationMode.None;

    /// <summary>
    /// A token with the admin role, from the environment or a secret store (never from a file in the repository):
    /// how the first keys are created. At least 32 characters. Keys created with <c>pipeline keys create</c> are
    /// stored hashed in the database; this one is only compared, in constant time, with what callers send.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>How long a validated key is trusted before the database is asked again (so a revocation takes at most this long).</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a dashboard session lasts without use.</summary>
    public TimeSpan SessionDuration { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Job submissions per caller (key, or address when unauthenticated) and minute; 0 turns the limit off.</summary>
    public int SubmitsPerMinute { get; set; } = 30;

    /// <summary>Prediction requests per caller and second (a token bucket with this burst); 0 turns the limit off.</summary>
    public int PredictionsPerSecond { get; set; } = 1000;

    /// <summary>Dashboard login attempts per address and minute.</summary>
    public int LoginsPerMinute { get; set; } = 10;

    public const int MinimumAdminTokenLength = 32;
}
