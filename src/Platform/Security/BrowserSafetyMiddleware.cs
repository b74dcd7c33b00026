using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Pipeline.Platform.Security;

/// <summary>
/// What keeps a browser from being turned against the API: security headers on every answer, and state-changing
/// requests that a browser sent from another origin refused (403) before they reach a route. Non-browser clients
/// (the CLI, scripts) send neither <c>Origin</c> nor <c>Sec-Fetch-Site</c> and are not affected.
/// </summary>
public static class BrowserSafetyMiddleware
{
    /// <summary>
    /// Scripts, styles and data only from this origin; never framed (clickjacking of "Make production"); no plugins,
    /// no base-URI tricks, forms post only here. Inline style attributes are allowed (progress bars); inline scripts
    /// are not.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        // Not "no-referrer": with it Chromium sends "Origin: null" on the dashboard's own form posts.
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";

        if (ChangesState(context.Request.Method) && CrossOriginReason(context.Request) is { } reason)
        {
            await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Cross-origin request refused",
                detail: $"{reason}: state-changing requests are accepted only from this origin's own pages and from non-browser clients.").ExecuteAsync(context);
            return;
        }

        await next();
    }

    /// <summary>Anything but GET, HEAD and OPTIONS: the methods a forged request would use to change something.</summary>
    public static bool ChangesState(string method) => !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method);

    /// <summary>Why a request looks sent by a page of another origin, or null.</summary>
    public static string? CrossOriginReason(HttpRequest request)
    {
        // Browsers send Sec-Fetch-Site on every request; "same-site" covers other ports of the same host (a page on
        // 127.0.0.1:9999 is same-site with 127.0.0.1:5080), so only same-origin and user-initiated ("none") pass.
        // A page cannot set Sec-Fetch-Site, so where the browser sent it, it decides.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none" ? null : $"Sec-Fetch-Site is '{site}'";
        }

        // Older browsers: the Origin header.
        var origin = request.Headers[HeaderNames.Origin].ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase))
        {
            return "the Origin is another site";
        }

        return null;
    }
}
