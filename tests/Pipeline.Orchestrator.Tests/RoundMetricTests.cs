using System.Diagnostics.Metrics;

namespace Pipeline.Orchestrator.Tests;

/// <summary>Alone: the round-duration histogram is process-wide, and other tests' jobs merge rounds too.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RoundMetricCollection
{
    public const string Name = "round-metric";
}

/// <summary>
/// <c>pipeline.training.round.duration</c> counts each merged round once. The saga records the round in its behaviour,
/// before the save; when the save fails (an optimistic-concurrency conflict with another message of the job) the
/// RoundMerged is handled again and the round was counted again: a CI run saw 4 rounds counted for a 3-round job.
/// </summary>
[Collection(RoundMetricCollection.Name)]
public sealed class RoundMetricTests
{
    [Fact]
    public void A_round_recorded_again_is_counted_once_and_later_rounds_still_count()
    {
        using var rounds = new RoundCounter();
        var job = Guid.NewGuid();

        OrchestratorMetrics.RoundMerged(job, 1, TimeSpan.FromSeconds(1));
        OrchestratorMetrics.RoundMerged(job, 1, TimeSpan.FromSeconds(1)); // the same RoundMerged handled again
        OrchestratorMetrics.RoundMerged(job, 2, TimeSpan.FromSeconds(1));
        OrchestratorMetrics.RoundMerged(Guid.NewGuid(), 1, TimeSpan.FromSeconds(1)); // another job's round 1
        Assert.Equal(3, rounds.Count);

        // A finished job merges no more rounds, so its entry is dropped (memory stays bounded by the running jobs).
        OrchestratorMetrics.JobFinished(job);
        OrchestratorMetrics.RoundMerged(job, 2, TimeSpan.FromSeconds(1));
        Assert.Equal(4, rounds.Count);
    }

    /// <summary>Measurements of the round-duration histogram while it lives.</summary>
    private sealed class RoundCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _count;

        public RoundCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "pipeline.training.round.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _count));
            _listener.Start();
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
