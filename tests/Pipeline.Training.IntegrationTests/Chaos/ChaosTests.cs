using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Orchestrator.StateMachines;
using Pipeline.Testing.Training;
using Microsoft.Extensions.DependencyInjection;
using MassTransit;

namespace Pipeline.Training.IntegrationTests.Chaos;

/// <summary>
/// The chaos suite of issue #18: each fault injected into a running training job on the local stack, the job
/// required to complete with the undisturbed run's model bit for bit, every round and shard counted once, and the
/// cost recorded (bench/chaos.sh prints the table; docs/RELIABILITY.md has it). Outages stop a whole service
/// (infra/stack.sh stop/start), so the suite runs alone: category <c>Chaos</c> (bench/chaos.sh only) and
/// <c>ChaosCi</c> (the quick ones, also in test.sh's run-alone step).
/// </summary>
public sealed class ChaosTests(UndisturbedRun undisturbed) : IClassFixture<UndisturbedRun>
{
    /// <summary>Outage length, seconds (PIPELINE_CHAOS_OUTAGE_SECONDS; 20 by default).</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("PIPELINE_CHAOS_OUTAGE_SECONDS"), out var s) && s > 0 ? s : 20);

    [Fact]
    [Trait("Category", "ChaosCi")]
    public async Task A_worker_SIGKILLed_mid_shard()
    {
        await using var run = await ChaosRun.StartAsync();
        var id = await run.Submit();
        // Whichever worker starts a round-2 shard first is killed in the middle of it.
        var first = await Task.WhenAny(run.Workers.Select(async w => { await w.WaitForLine("round 2 shard", TimeSpan.FromMinutes(2)); return w; }));
        var doomed = await first;
        var state = await Describe(run, id);
        doomed.Kill();
        var killedAt = run.Elapsed;
        var resumed = await run.WaitForRounds(id, 2);
        await Finish(run, id, "TrainWorker SIGKILL mid-shard (one of two)", state, run.Elapsed - killedAt, resumed);
    }

    [Fact]
    [Trait("Category", "ChaosCi")]
    public async Task The_object_store_down()
    {
        await OutageOf("s3", "S3 endpoint (s3rver)");
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task The_broker_down()
    {
        await OutageOf("rabbitmq", "RabbitMQ");
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task The_database_down()
    {
        await OutageOf("postgres", "PostgreSQL");
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task The_orchestrator_stopped_and_started_again()
    {
        await using var run = await ChaosRun.StartAsync();
        var id = await run.Submit();
        await run.WaitForRounds(id, 2);
        var state = await Describe(run, id);
        await run.RestartOrchestratorAsync(TimeSpan.FromSeconds(5));
        var backAt = run.Elapsed;
        var resumed = await NextRoundMerged(run, id);
        await Finish(run, id, "orchestrator stopped 5 s, started again (workers keep running)", state, run.Elapsed - backAt, resumed);
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task The_orchestrator_process_SIGKILLed()
    {
        await using var run = await ChaosRun.StartAsync(orchestratorProcess: true);
        var id = await run.Submit();
        await run.WaitForRounds(id, 2);
        var state = await Describe(run, id);
        run.Orchestrator!.Kill();
        var rounds = (await run.System.WaitFor(id, j => j is not null)).History.Count;
        var killedAt = run.Elapsed;
        await run.StartOrchestratorAsync();
        var resumed = await run.WaitForRounds(id, rounds + 1);
        await Finish(run, id, "Orchestrator process SIGKILL, a new one started at once", state, run.Elapsed - killedAt, resumed);
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task Duplicate_and_stale_results()
    {
        await using var run = await ChaosRun.StartAsync();
        var id = await run.Submit();
        var job = await run.WaitForRounds(id, 3);
        var state = await Describe(run, id);
        var bus = run.System.Services.GetRequiredService<IBus>();

        // Round 1's results again (stale: round 3 is over) and the last merged round's results twice (duplicates).
        foreach (var record in new[] { job.History[0], job.History[^1], job.History[^1] })
        {
            foreach (var shard in record.Shards)
            {
                await bus.Publish(new ShardTrained { JobId = id, Round = record.Round, Shard = shard.Shard, Model = shard.Model, Samples = shard.Samples, Loss = shard.Loss, Worker = "chaos" });
            }
        }

        await Finish(run, id, "stale and duplicate ShardTrained (rounds 1 and 3 again, after round 3)", state, null, null);
    }

    /// <summary>Jobs submitted at once (PIPELINE_CHAOS_JOBS; 20 by default, as in issue #18).</summary>
    private static readonly int ConcurrentJobs =
        int.TryParse(Environment.GetEnvironmentVariable("PIPELINE_CHAOS_JOBS"), out var n) && n > 0 ? n : 20;

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task Many_jobs_at_once()
    {
        await using var run = await ChaosRun.StartAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < ConcurrentJobs; i++)
        {
            ids.Add(await run.Submit());
        }

        var jobs = new List<TrainingJobState>();
        foreach (var id in ids)
        {
            jobs.Add(await run.WaitForEnd(id, TimeSpan.FromMinutes(30)));
        }

        var hashes = new List<string>();
        foreach (var job in jobs)
        {
            hashes.Add(await run.ModelSha256(job));
        }

        var extra = run.ShardTrainingsStarted - (ConcurrentJobs * undisturbed.ShardTrainings);
        var lost = string.Join("; ", jobs.Select(ChaosRun.LostOrDuplicated).Where(l => l != "none").DefaultIfEmpty("none"));
        var identical = hashes.All(h => h == undisturbed.ModelSha256);
        ChaosFigures.Record(new ChaosFigure($"{ConcurrentJobs} jobs submitted at once (2 workers)", "Submitted", string.Join(",", jobs.Select(j => j.CurrentState).Distinct()), null, run.Elapsed.TotalSeconds, extra, lost, identical));
        Assert.All(jobs, j => Assert.True(j.CurrentState == "Completed", $"{j.CurrentState}: {j.FailureReason}"));
        Assert.Equal("none", lost);
        Assert.True(identical, "a concurrent job's model differs from the undisturbed run's");
    }

    /// <summary>
    /// A dependency down while the job is in a state other than Training: the stage (a stand-in that does what the
    /// real one does first: reach the store, publish its answer) is held at its first command, the dependency
    /// stopped, the stage released into the outage, and the dependency started again after the outage. For Merging
    /// the saga's first MergeRound send is held instead, and the real workers merge once it leaves.
    /// </summary>
    [Theory]
    [Trait("Category", "Chaos")]
    [InlineData(StandInStage.Validate, "s3")]
    [InlineData(StandInStage.Validate, "rabbitmq")]
    [InlineData(StandInStage.Validate, "postgres")]
    [InlineData(StandInStage.Preprocess, "rabbitmq")]
    [InlineData(StandInStage.Preprocess, "postgres")]
    [InlineData(StandInStage.Deploy, "s3")]
    [InlineData(StandInStage.Deploy, "rabbitmq")]
    [InlineData(StandInStage.Deploy, "postgres")]
    [InlineData(StandInStage.Merge, "s3")]
    [InlineData(StandInStage.Merge, "rabbitmq")]
    [InlineData(StandInStage.Merge, "postgres")]
    public async Task A_dependency_down_in_another_state(StandInStage stage, string service)
    {
        await OutageInStage(stage, service);
    }

    /// <summary>The first report: the store down while the job preprocesses (it then stayed Preprocessing).</summary>
    [Fact]
    [Trait("Category", "ChaosCi")]
    public async Task The_object_store_down_while_preprocessing()
    {
        await OutageInStage(StandInStage.Preprocess, "s3");
    }

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task Everything_restarted_mid_job()
    {
        await using var run = await ChaosRun.StartAsync();
        var id = await run.Submit();
        await run.WaitForRounds(id, 2);
        var state = await Describe(run, id);
        var stoppedAt = run.Elapsed;
        foreach (var worker in run.Workers.ToList())
        {
            worker.Kill();
        }

        await run.RestartOrchestratorAsync(async () =>
        {
            string[] services = ["rabbitmq", "postgres", "s3"];
            foreach (var service in services)
            {
                await Stack("stop", service);
            }

            foreach (var service in services)
            {
                await Stack("start", service);
            }
        });
        run.AddWorker("worker-c");
        run.AddWorker("worker-d");
        var backAt = run.Elapsed;
        var resumed = await NextRoundMerged(run, id);
        await Finish(run, id, $"full restart: workers SIGKILLed, orchestrator, RabbitMQ, PostgreSQL and S3 stopped and started ({(backAt - stoppedAt).TotalSeconds:0} s down)", state, run.Elapsed - backAt, resumed);
    }

    private async Task OutageInStage(StandInStage stage, string service)
    {
        var hold = new StageHold(stage);
        await using var run = await ChaosRun.StartAsync(hold: hold);
        var id = await run.Submit();
        await hold.Reached.WaitAsync(TimeSpan.FromMinutes(5));
        var state = await Describe(run, id);
        var held = (await run.System.WaitFor(id, j => j is not null)).CurrentState;
        await Stack("stop", service);
        try
        {
            hold.Release();
            await Task.Delay(Outage);
        }
        finally
        {
            await Stack("start", service);
        }

        var backAt = run.Elapsed;
        var resumed = await run.System.WaitFor(id, j => j?.CurrentState != held, TimeSpan.FromMinutes(20));
        await Finish(run, id, $"{Names[service]} down {Outage.TotalSeconds:0} s", state, run.Elapsed - backAt, resumed);
    }

    private static readonly Dictionary<string, string> Names = new()
    {
        ["s3"] = "S3 endpoint (s3rver)",
        ["rabbitmq"] = "RabbitMQ",
        ["postgres"] = "PostgreSQL",
    };

    private async Task OutageOf(string service, string name)
    {
        await using var run = await ChaosRun.StartAsync();
        var id = await run.Submit();
        await run.WaitForRounds(id, 2);
        var state = await Describe(run, id);
        await Stack("stop", service);
        try
        {
            // The outage itself: the dependency stays down this long whatever the job does.
            await Task.Delay(Outage);
        }
        finally
        {
            await Stack("start", service);
        }

        var backAt = run.Elapsed;
        var resumed = await NextRoundMerged(run, id);
        await Finish(run, id, $"{name} down {Outage.TotalSeconds:0} s", state, run.Elapsed - backAt, resumed);
    }

    /// <summary>Waits until one more round than the job has now is merged (the sign that training resumed).</summary>
    private static async Task<TrainingJobState> NextRoundMerged(ChaosRun run, Guid id)
    {
        var rounds = (await run.System.WaitFor(id, j => j is not null, TimeSpan.FromMinutes(5))).History.Count;
        return await run.WaitForRounds(id, rounds + 1);
    }

    /// <summary>Waits for the end, records the figure and asserts what every fault must leave: the undisturbed result.</summary>
    private async Task Finish(ChaosRun run, Guid id, string fault, string stateAtFault, TimeSpan? recovery, TrainingJobState? resumed)
    {
        var job = await run.WaitForEnd(id);
        var identical = await run.ModelSha256(job) == undisturbed.ModelSha256;
        var lost = ChaosRun.LostOrDuplicated(job);
        var extra = run.ShardTrainingsStarted - undisturbed.ShardTrainings;
        ChaosFigures.Record(new ChaosFigure(fault, stateAtFault, job.CurrentState, resumed is null ? null : recovery?.TotalSeconds, run.Elapsed.TotalSeconds, extra, lost, identical));
        Assert.True(job.CurrentState == "Completed", $"{fault}: {job.CurrentState}: {job.FailureReason}");
        Assert.Equal("none", lost);
        Assert.True(identical, $"{fault}: the final model differs from the undisturbed run's");
    }

    private static async Task<string> Describe(ChaosRun run, Guid id)
    {
        var job = await run.System.WaitFor(id, j => j is not null);
        return $"{job.CurrentState}, round {job.Round}";
    }

    private static async Task Stack(string verb, string service)
    {
        var script = Path.Combine(RepositoryRoot(), "infra", "stack.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, verb, service]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"stack.sh {verb} {service}: {await output}{await errors}");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Pipeline.sln not found above the test binaries.");
    }
}
