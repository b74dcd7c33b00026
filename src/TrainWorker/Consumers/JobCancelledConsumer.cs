using MassTransit;
using Pipeline.Contracts;
using Pipeline.Platform.Hosting;

namespace Pipeline.TrainWorker.Consumers;

/// <summary>
/// Every worker instance hears about cancelled jobs (its own temporary queue): a shard of the job being trained stops
/// at the next epoch, and pending ones are acknowledged without work.
/// </summary>
public sealed class JobCancelledConsumer(RunningJobs running) : IConsumer<JobCancelled>
{
    public Task Consume(ConsumeContext<JobCancelled> context)
    {
        running.Cancel(context.Message.JobId);
        return Task.CompletedTask;
    }
}

/// <summary>Every worker instance hears when a job's training is over and frees the job's cached shards.</summary>
public sealed class TrainingFinishedConsumer(ShardCache cache) : IConsumer<TrainingFinished>
{
    public Task Consume(ConsumeContext<TrainingFinished> context)
    {
        cache.Forget(context.Message.Data);
        return Task.CompletedTask;
    }
}
