using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pipeline.Platform.Security;

/// <summary>
/// Authentication off (<see cref="AuthenticationMode.None"/>, loopback only): every caller is the local user with
/// every role, so routes keep the same policies in both modes and the audit trail says "local".
/// </summary>
public sealed class LocalUserAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LocalUser";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(PipelineClaims.Principal(PipelineClaims.LocalUser, PipelineRoles.All, null, SchemeName), SchemeName)));
}
