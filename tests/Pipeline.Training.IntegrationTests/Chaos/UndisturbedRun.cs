namespace Pipeline.Training.IntegrationTests.Chaos;

/// <summary>The chaos job run once without faults: the model every disturbed run must reproduce, and its duration.</summary>
public sealed class UndisturbedRun : IAsyncLifetime
{
    public string ModelSha256 { get; private set; } = "";

    public TimeSpan Duration { get; private set; }

    public int ShardTrainings { get; private set; }

    public async Task InitializeAsync()
    {
        await using var run = await ChaosRun.StartAsync();
        var started = run.Elapsed;
        var job = await run.WaitForEnd(await run.Submit());
        Duration = run.Elapsed - started;
        if (job.CurrentState != "Completed")
        {
            throw new InvalidOperationException($"the undisturbed chaos job ended {job.CurrentState}: {job.FailureReason}");
        }

        ModelSha256 = await run.ModelSha256(job);
        ShardTrainings = run.ShardTrainingsStarted;
        ChaosFigures.Record(new ChaosFigure("none (undisturbed run)", "-", job.CurrentState, null, Duration.TotalSeconds, 0, ChaosRun.LostOrDuplicated(job), true));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
