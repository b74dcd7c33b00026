using System.Security.Claims;

namespace Pipeline.Platform.Security;

/// <summary>How an authenticated caller is described, and read back, the same way by every scheme.</summary>
public static class PipelineClaims
{
    public const string KeyId = "pipeline:key";

    /// <summary>The audit name of an unauthenticated local caller (authentication off, loopback only).</summary>
    public const string LocalUser = "local";

    public static ClaimsPrincipal Principal(string name, IEnumerable<string> roles, Guid? keyId, string scheme)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        if (keyId is { } id)
        {
            claims.Add(new Claim(KeyId, id.ToString("N")));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The name the audit trail records for this caller.</summary>
    public static string ActorOf(ClaimsPrincipal user) => user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous";

    public static Guid? KeyIdOf(ClaimsPrincipal user) => Guid.TryParseExact(user.FindFirstValue(KeyId), "N", out var id) ? id : null;

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(PipelineRoles.Admin);
}
