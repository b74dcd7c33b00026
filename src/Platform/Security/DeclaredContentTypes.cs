using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Pipeline.Platform.Security;

/// <summary>
/// The body types a state-changing route accepts. Anything else is answered 415 before the route runs, so a page
/// on another origin cannot reach it with a form or <c>text/plain</c> (the types a browser sends without asking
/// the server first).
/// </summary>
public sealed record DeclaredContentTypes(IReadOnlyList<string> Types, bool AllowsEmptyBody)
{
    public bool Accepts(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.ContentType))
        {
            return AllowsEmptyBody && request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any();
        }

        return MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && Types.Any(t => string.Equals(t, type.MediaType.Value, StringComparison.OrdinalIgnoreCase));
    }

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DeclaredContentTypes>() is { } declared && !declared.Accepts(context.Request))
        {
            var empty = declared.AllowsEmptyBody ? " (or no body)" : string.Empty;
            await Results.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: $"this route accepts {string.Join(", ", declared.Types)}{empty}; the request sent '{Truncate(context.Request.ContentType)}'.",
                extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" }).ExecuteAsync(context);
            return;
        }

        await next();
    }

    private static string Truncate(string? value) => value is null ? "nothing" : value.Length <= 100 ? value : value[..100] + "…";
}

public static class DeclaredContentTypesExtensions
{
    /// <summary>Declares the body types this route accepts (415 for others); see <see cref="DeclaredContentTypes"/>.</summary>
    public static TBuilder AcceptsOnly<TBuilder>(this TBuilder builder, bool allowEmptyBody, params string[] types)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DeclaredContentTypes(types, allowEmptyBody));
}
