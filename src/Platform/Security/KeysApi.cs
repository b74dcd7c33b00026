using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Pipeline.Platform.Security;

/// <summary>
/// Key management for admins: <c>GET /api/keys</c>, <c>POST /api/keys</c> (<c>{"name": "ci", "role": "submitter"}</c>;
/// the answer carries the token, shown this once) and <c>DELETE /api/keys/{idOrName}</c>.
/// </summary>
public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").RequireAuthorization(PipelinePolicies.Admin);

        keys.MapGet("", async Task<Ok<IReadOnlyList<ApiKeyView>>> (ApiKeyStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)));

        keys.MapPost("", async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> (CreateApiKey request, HttpContext http, ApiKeyStore store, CancellationToken ct) =>
        {
            if (!ApiKeyNames.IsValid(request.Name))
            {
                return Problem(StatusCodes.Status400BadRequest, "name", $"the key name must be {ApiKeyNames.Rule}");
            }

            if (!PipelineRoles.IsRole(request.Role))
            {
                return Problem(StatusCodes.Status400BadRequest, "role", $"the role must be one of {string.Join(", ", PipelineRoles.All)}");
            }

            try
            {
                var created = await store.CreateAsync(request.Name!, request.Role!, PipelineClaims.ActorOf(http.User), ct);
                return TypedResults.Created($"/api/keys/{created.Id:N}", created);
            }
            catch (InvalidOperationException ex)
            {
                return Problem(StatusCodes.Status409Conflict, "name", ex.Message);
            }
        }).AcceptsOnly(allowEmptyBody: false, "application/json");

        keys.MapDelete("/{idOrName}", async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> (string idOrName, ApiKeyStore store, CancellationToken ct) =>
            await store.RevokeAsync(idOrName, ct) is { } revoked
                ? TypedResults.Ok(revoked)
                : Problem(StatusCodes.Status404NotFound, "idOrName", $"no key with id or name '{(idOrName.Length > 64 ? idOrName[..64] + "…" : idOrName)}'"));

        return app;
    }

    private static ProblemHttpResult Problem(int status, string field, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: status == 409 ? "Key exists" : status == 404 ? "Unknown key" : "Invalid key request", extensions: new Dictionary<string, object?> { ["field"] = field });
}

/// <summary>The body of <c>POST /api/keys</c>.</summary>
public sealed record CreateApiKey(string? Name, string? Role);
