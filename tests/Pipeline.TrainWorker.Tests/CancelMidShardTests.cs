using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Platform.Hosting;
using Pipeline.Testing.Training;

namespace Pipeline.TrainWorker.Tests;

/// <summary>
/// Issue #17 (and #18): "cancel answered 202 but training went on". A shard that would train for many minutes stops
/// when its job is cancelled, and the worker is free for the next job.
/// </summary>
public sealed class CancelMidShardTests
{
    private static readonly TrainingData Data = TrainingData.Create(trainRows: 4_000, validationRows: 1_000, seed: 3);

    [Fact]
    public async Task A_cancelled_job_stops_its_shard_mid_training_and_frees_the_worker()
    {
        // One worker slot; the first job's only shard asks for a million epochs (well over half an hour here).
        await using var system = new TrainingSystem(Data, workerConcurrency: 1);
        await system.StartAsync();
        var running = system.Services.GetRequiredService<RunningJobs>();
        var endless = await system.Submit(new TrainingSettings { Shards = 1, Rounds = 1, LocalEpochs = 1_000_000, BatchSize = 64, HiddenLayers = [32], LearningRate = 0.001, Patience = 0, Seed = 1 });

        await WaitUntil(() => running.IsRunning(endless), "the shard starts training");
        await system.Services.GetRequiredService<IBus>().Publish(new CancelJob { JobId = endless, Reason = "test" });
        var cancelled = await system.WaitFor(endless, TrainingSystem.IsOver);
        Assert.Equal("Cancelled", cancelled.CurrentState);
        await WaitUntil(() => !running.IsRunning(endless), "the shard stops");

        // The only worker slot is free again: a short job gets it and completes.
        var next = await system.RunJob(new TrainingSettings { Shards = 1, Rounds = 2, LocalEpochs = 1, BatchSize = 64, HiddenLayers = [16], LearningRate = 0.003, Patience = 0, Seed = 2 }, TimeSpan.FromMinutes(2));
        Assert.Equal("Completed", next.CurrentState);

        // Nothing was stored for the cancelled shard.
        Assert.Null(await system.Store.StatAsync("jobs", Platform.Artifacts.JobArtifactKeys.ShardModel(endless, 1, 0)));
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition())
        {
            Assert.True(await tick.WaitForNextTickAsync(timeout.Token).AsTask().ContinueWith(t => !t.IsCanceled, TaskScheduler.Default), $"timed out waiting until {what}");
        }
    }
}
