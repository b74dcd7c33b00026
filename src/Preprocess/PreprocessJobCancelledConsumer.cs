using MassTransit;
using Pipeline.Contracts;
using Pipeline.Platform.Hosting;

namespace Pipeline.Preprocess;

/// <summary>Every Preprocess instance hears about cancelled jobs (a temporary queue of its own) and stops their runs.</summary>
public sealed class PreprocessJobCancelledConsumer(RunningJobs running) : IConsumer<JobCancelled>
{
    public Task Consume(ConsumeContext<JobCancelled> context)
    {
        running.Cancel(context.Message.JobId);
        return Task.CompletedTask;
    }
}
