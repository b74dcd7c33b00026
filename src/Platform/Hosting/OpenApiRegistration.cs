using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Pipeline.Platform.Security;

namespace Pipeline.Platform.Hosting;

/// <summary>
/// The OpenAPI 3 document of whatever routes a host maps, generated from the code (Microsoft.AspNetCore.OpenApi) at
/// <c>GET /openapi/v1.json</c>. The answers the security layer gives on every route (401, 403, 415, 429) come from
/// each route's own metadata (its policy, declared body types, rate limit), so the document cannot drift from them.
/// </summary>
public static class OpenApiRegistration
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddPipelineOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Pipeline",
                    Version = "v1",
                    Description = "Jobs, registry, serving and submit APIs of the Pipeline services hosted by this process. Authentication and roles: docs/SECURITY.md.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                AddSecurityAnswers(operation, context.Description.ActionDescriptor.EndpointMetadata);
                AddUnboundPathParameters(operation, context.Description.RelativePath);
                AddRequestExample(operation, context.Description.ActionDescriptor.EndpointMetadata);
                return Task.CompletedTask;
            });
        });

    /// <summary>Maps the document; it names routes, not data, so it needs no key.</summary>
    public static IEndpointRouteBuilder MapPipelineOpenApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(DocumentPath).AllowAnonymous();
        return endpoints;
    }

    private static void AddSecurityAnswers(OpenApiOperation operation, IList<object> metadata)
    {
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        if (!anonymous)
        {
            Problem(operation, StatusCodes.Status401Unauthorized, "No API key, or an invalid one (only when Pipeline:Security:Authentication is ApiKeys).");
            Problem(operation, StatusCodes.Status403Forbidden, "The caller's role may not use this route, or the request came from another origin.");
        }

        if (metadata.OfType<DeclaredContentTypes>().LastOrDefault() is { } declared)
        {
            Problem(operation, StatusCodes.Status415UnsupportedMediaType, $"The body is not one of: {string.Join(", ", declared.Types)}{(declared.AllowsEmptyBody ? " (or empty)" : string.Empty)}.");
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            Problem(operation, StatusCodes.Status429TooManyRequests, "Over the caller's rate for this route; retry after Retry-After.");
        }
    }

    /// <summary>
    /// Every {value} of the route is a required path parameter, also those a handler reads from the route values itself
    /// rather than binding (the inference protocol's version), which the generator would leave out.
    /// </summary>
    private static void AddUnboundPathParameters(OpenApiOperation operation, string? relativePath)
    {
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(relativePath ?? "", @"\{(\w+)[^}]*\}"))
        {
            var name = match.Groups[1].Value;
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.In == ParameterLocation.Path && p.Name == name))
            {
                operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            }
        }
    }

    /// <summary>The route's <see cref="RequestExample"/> as its body's example (a body read by hand gets one described here) and its path parameters' examples.</summary>
    private static void AddRequestExample(OpenApiOperation operation, IList<object> metadata)
    {
        if (metadata.OfType<RequestExample>().LastOrDefault() is not { } example)
        {
            return;
        }

        var body = operation.RequestBody as OpenApiRequestBody ?? new OpenApiRequestBody { Required = true };
        body.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (!body.Content.TryGetValue(example.ContentType, out var media))
        {
            body.Content[example.ContentType] = media = new OpenApiMediaType();
        }

        media.Example = System.Text.Json.Nodes.JsonNode.Parse(example.Body);
        operation.RequestBody = body;
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.In == ParameterLocation.Path && parameter.Name is { } name && example.PathValues.TryGetValue(name, out var value))
            {
                parameter.Example = System.Text.Json.Nodes.JsonValue.Create(value);
            }
        }
    }

    private static void Problem(OpenApiOperation operation, int status, string description)
    {
        operation.Responses ??= [];
        operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
        });
    }
}
