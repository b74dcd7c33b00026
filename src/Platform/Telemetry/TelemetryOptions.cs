namespace Pipeline.Platform.Telemetry;

/// <summary><c>Pipeline:Telemetry</c>: where traces and metrics go besides <c>/metrics</c>.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Pipeline:Telemetry";

    /// <summary>The standard variable, honoured as well (with its companions OTEL_EXPORTER_OTLP_PROTOCOL / _HEADERS).</summary>
    public const string StandardEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>An OTLP collector (gRPC, e.g. http://collector:4317); nothing is pushed when neither this nor the variable is set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// <c>true</c>: <c>/metrics</c> answers without an API key even when authentication is on (for a scraper kept out
    /// by the network instead, e.g. the NetworkPolicy). Default <c>false</c>: it needs the reader role.
    /// </summary>
    public bool AnonymousMetrics { get; set; }
}
