using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.TrainWorker.Consumers;

/// <summary>Every worker instance hears about cancelled jobs (its own temporary queue) and skips their shards.</summary>
public sealed class JobCancelledConsumer(CancelledJobs cancelled) : IConsumer<JobCancelled>
{
    public Task Consume(ConsumeContext<JobCancelled> context)
    {
        cancelled.Add(context.Message.JobId);
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

/// <summary>Jobs cancelled since this process started; pending shards of theirs are acknowledged without work.</summary>
public sealed class CancelledJobs
{
    private readonly ConcurrentDictionary<Guid, byte> _jobs = new();

    public void Add(Guid job) => _jobs.TryAdd(job, 0);

    public bool Contains(Guid job) => _jobs.ContainsKey(job);
}
