using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pipeline.Platform.Security;

/// <summary>
/// The last line: an exception that escapes a route becomes an RFC 9457 problem, never an empty 500 or a stack
/// trace in the answer. Bad requests the framework detects (a body over its limit, unreadable JSON, a malformed
/// form) keep their 4xx status; anything else is a 500 that names only the trace id to look up in the log.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            JsonException => (StatusCodes.Status400BadRequest, "The body is not valid JSON", "the JSON could not be read"),
            InvalidDataException => (StatusCodes.Status400BadRequest, "Bad request", "the body could not be read"),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "Client closed request", "the client went away"),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "the request failed on the server; the trace id finds it in the log"),
        };

        if (status >= 500)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, exception);
        }
        else
        {
            LogRefused(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, status, exception.GetType().Name);
        }

        if (context.Response.HasStarted)
        {
            return true;
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier },
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} refused with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string path, int status, string reason);
}
