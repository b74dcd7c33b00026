using System.Net;

namespace Pipeline.Platform.Security;

/// <summary>Reads the addresses a host listens on (<c>ASPNETCORE_URLS</c>, <c>--urls</c>): loopback only or not.</summary>
public static class BindAddresses
{
    /// <summary>
    /// True when every URL in <paramref name="urls"/> (separated by <c>;</c>) names a loopback host. Wildcards
    /// (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) and names other than <c>localhost</c> are not loopback.
    /// </summary>
    public static bool AreLoopbackOnly(string? urls)
    {
        var list = (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return list.Length > 0 && list.All(IsLoopback);
    }

    public static bool IsLoopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[..(rest.IndexOf(']') + 1)] : rest.Split(':', '/')[0];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>The host names a loopback-only host answers to (DNS rebinding sends another name).</summary>
    public static readonly IReadOnlyList<string> LoopbackHostNames = ["localhost", "127.0.0.1", "[::1]"];
}
