using System.Diagnostics;
using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Pipeline.Platform.Telemetry;

/// <summary>
/// Puts the job a consumed message belongs to in the log scope (<c>JobId</c>, shown by the JSON console formatter)
/// and on the consume span (<see cref="PipelineTelemetry.JobIdTag"/>), so every line and span a consumer or the saga
/// writes for a job can be found by its id. Messages without a <c>Guid JobId</c> pass through untouched.
/// </summary>
public sealed class JobScopeFilter<T>(ILogger<JobScopeFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    // Once per message type: the JobId property's getter, or null when the type has none.
    private static readonly Func<T, Guid>? JobIdOf = CompileJobIdGetter();

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (JobIdOf is null)
        {
            await next.Send(context);
            return;
        }

        var jobId = JobIdOf(context.Message);
        Activity.Current?.SetTag(PipelineTelemetry.JobIdTag, jobId.ToString());
        using (logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId }))
        {
            await next.Send(context);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("jobScope");

    private static Func<T, Guid>? CompileJobIdGetter()
    {
        var property = typeof(T).GetProperty("JobId", BindingFlags.Public | BindingFlags.Instance);
        return property is { PropertyType: var type, GetMethod: { } getter } && type == typeof(Guid)
            ? getter.CreateDelegate<Func<T, Guid>>()
            : null;
    }
}
