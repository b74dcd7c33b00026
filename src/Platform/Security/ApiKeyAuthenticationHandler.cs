using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Pipeline.Platform.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer TOKEN</c> (or <c>X-Api-Key: TOKEN</c>, for tools that cannot set the
/// authorization header) against <see cref="ApiKeyStore"/>. No token: no result (other schemes may try); a wrong
/// token: a failure, answered 401 without saying why beyond "invalid".
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>The token a request carries, if any.</summary>
    public static string? TokenOf(HttpRequest request)
    {
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return request.Headers[HeaderName].ToString() is { Length: > 0 } key ? key.Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await keys.ValidateAsync(token, Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("invalid or revoked API key");
        }

        var principal = PipelineClaims.Principal(identity.Name, [identity.Role], identity.KeyId, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"pipeline\"";
        var detail = TokenOf(Request) is null
            ? "this route needs an API key: send Authorization: Bearer TOKEN (the CLI reads PIPELINE_TOKEN or its config file)"
            : "the API key is not valid (unknown, revoked or mistyped)";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not authenticated", detail: detail).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Not allowed",
            detail: $"'{PipelineClaims.ActorOf(Context.User)}' ({string.Join(", ", PipelineRoles.All.Where(Context.User.IsInRole))}) may not do this; see the roles in docs/SECURITY.md").ExecuteAsync(Context);
}
