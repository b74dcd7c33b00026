using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Pipeline.Platform.Security;

/// <summary>
/// A dashboard session is a cookie, which the browser attaches by itself; a state-changing request made with it
/// must also carry the antiforgery token the dashboard read from <c>/ui/session</c> (header
/// <see cref="HeaderName"/>). Requests with a bearer token carry nothing ambient and need none.
/// </summary>
public static class SessionAntiforgery
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (BrowserSafetyMiddleware.ChangesState(context.Request.Method) && context.User.Identity is { IsAuthenticated: true, AuthenticationType: SecurityRegistration.SessionScheme })
        {
            var antiforgery = context.RequestServices.GetService(typeof(IAntiforgery)) as IAntiforgery;
            if (antiforgery is null || !await antiforgery.IsRequestValidAsync(context))
            {
                await Results.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Missing or invalid antiforgery token",
                    detail: $"a request made with a dashboard session must carry the {HeaderName} header from /ui/session.").ExecuteAsync(context);
                return;
            }
        }

        await next();
    }
}
