using System.Collections.Concurrent;
using MassTransit;
using Pipeline.Contracts;

namespace Pipeline.Ingest.Tests.Support;

/// <summary>Everything the test host saw published, by job.</summary>
public sealed class PipelineProbe
{
    private readonly ConcurrentQueue<object> _events = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyList<object> Events => [.. _events];

    public void Add(object message)
    {
        _events.Enqueue(message);
        _signal.Release();
    }

    public IEnumerable<T> All<T>(Guid jobId)
        where T : class =>
        _events.OfType<T>().Where(e => JobIdOf(e) == jobId);

    /// <summary>Waits for the first event of type T for the job; fails with what was seen after the timeout.</summary>
    public async Task<T> WaitFor<T>(Guid jobId, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = All<T>(jobId).FirstOrDefault();
            if (found is not null)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No {typeof(T).Name} for job {jobId}; seen: {string.Join(", ", _events.Where(e => JobIdOf(e) == jobId).Select(Describe))}");
            }

            await _signal.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits for an event of type T for any job.</summary>
    public async Task<T> WaitForAny<T>(Func<T, bool> match, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = _events.OfType<T>().FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No matching {typeof(T).Name}; seen: {string.Join(", ", _events.Select(Describe))}");
            }

            await _signal.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    private static string Describe(object e) => e switch
    {
        DatasetRejected r => $"DatasetRejected({r.Reason})",
        PreprocessingFailed f => $"PreprocessingFailed({f.Reason})",
        _ => e.GetType().Name,
    };

    private static Guid JobIdOf(object e) => e switch
    {
        JobSubmitted m => m.JobId,
        DatasetAccepted m => m.JobId,
        DatasetRejected m => m.JobId,
        DatasetPreprocessed m => m.JobId,
        PreprocessingFailed m => m.JobId,
        _ => Guid.Empty,
    };
}

/// <summary>
/// Stands in for the Orchestrator's TrainingJob saga: the two hops it makes between the stages
/// (JobSubmitted → ValidateDataset, DatasetAccepted → PreprocessDataset), and records every event. Sends go to
/// the consumers' endpoint names (validate-dataset, preprocess-dataset; prefixed in integration tests).
/// </summary>
public sealed class SagaStandIn(PipelineProbe probe, IEndpointNameFormatter names) :
    IConsumer<JobSubmitted>,
    IConsumer<DatasetAccepted>,
    IConsumer<DatasetRejected>,
    IConsumer<DatasetPreprocessed>,
    IConsumer<PreprocessingFailed>
{
    public async Task Consume(ConsumeContext<JobSubmitted> context)
    {
        probe.Add(context.Message);
        var endpoint = await context.GetSendEndpoint(new Uri($"queue:{names.Consumer<Consumers.ValidateDatasetConsumer>()}"));
        await endpoint.Send(new ValidateDataset { JobId = context.Message.JobId, Source = context.Message.Source, Spec = context.Message.Spec });
    }

    public async Task Consume(ConsumeContext<DatasetAccepted> context)
    {
        probe.Add(context.Message);
        var m = context.Message;
        var endpoint = await context.GetSendEndpoint(new Uri($"queue:{names.Consumer<Pipeline.Preprocess.PreprocessDatasetConsumer>()}"));
        await endpoint.Send(new PreprocessDataset { JobId = m.JobId, DatasetId = m.DatasetId, Dataset = m.Dataset, Spec = m.ResolvedSpec });
    }

    public Task Consume(ConsumeContext<DatasetRejected> context)
    {
        probe.Add(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<DatasetPreprocessed> context)
    {
        probe.Add(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<PreprocessingFailed> context)
    {
        probe.Add(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Queue-name prefix of one test run, so runs sharing a broker do not consume each other's commands.</summary>
public sealed record TestQueues(string Prefix);
