using Microsoft.AspNetCore.Builder;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// A working request for a route: its JSON body and the path values it goes with. The OpenAPI document shows it as
/// the body's example and the path parameters' examples; the document's test sends every one of them to a running
/// system with a deployed model, so an example that stops working fails a test instead of misleading a reader.
/// </summary>
public sealed record RequestExample(string ContentType, string Body, IReadOnlyDictionary<string, string> PathValues);

public static class RequestExampleExtensions
{
    /// <summary>Adds a JSON request example; <paramref name="pathValues"/> as "name=value" pairs.</summary>
    public static TBuilder WithRequestExample<TBuilder>(this TBuilder builder, string json, params string[] pathValues)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(pathValues);
        var values = pathValues.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return builder.WithMetadata(new RequestExample("application/json", json, values));
    }
}
