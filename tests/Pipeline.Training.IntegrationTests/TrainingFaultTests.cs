using System.Diagnostics;
using Pipeline.Testing.Training;

namespace Pipeline.Training.IntegrationTests;

/// <summary>
/// Fault tolerance of distributed training on the local stack (RabbitMQ, PostgreSQL, S3), with workers as real
/// processes where the scenario kills one.
/// </summary>
public sealed class TrainingFaultTests
{
    [Fact]
    public async Task A_worker_killed_mid_shard_leaves_the_shard_to_another_worker_and_the_job_completes()
    {
        await using var stack = await StackTraining.CreateAsync();
        // Shards big enough that training one takes seconds, so the kill lands in the middle of it.
        var data = TrainingData.Create(trainRows: 300_000, validationRows: 5_000, seed: 3);
        await using var system = new TrainingSystem(data, settings: stack.Settings, inProcessWorkers: false);
        await system.StartAsync();
        var doomed = ServiceProcess.Start("TrainWorker", stack.With(("Pipeline:TrainWorker:WorkerName", "worker-a")));
        await using var _ = doomed;

        var id = await system.Submit(StackTraining.Job(shards: 2, rounds: 2, hidden: [256, 256], localEpochs: 2));
        await doomed.WaitForLine("round 1 shard", TimeSpan.FromSeconds(90));
        doomed.Kill();

        await using var survivor = ServiceProcess.Start("TrainWorker", stack.With(("Pipeline:TrainWorker:WorkerName", "worker-b")));
        var job = await system.WaitFor(id, TrainingSystem.IsOver, TimeSpan.FromMinutes(4));

        Assert.True(job.CurrentState == "Completed", $"{job.CurrentState}: {job.FailureReason}\n{survivor.Output}");
        Assert.Equal(2, job.History.Count);
        Assert.All(job.History.SelectMany(r => r.Shards), s => Assert.Equal("worker-b", s.Worker));
    }

    [Fact]
    public async Task A_full_restart_of_every_service_resumes_the_job_from_its_last_round()
    {
        await using var stack = await StackTraining.CreateAsync();
        var data = TrainingData.Create(trainRows: 20_000, validationRows: 2_000, seed: 4);
        Guid id;
        await using (var firstWorker = ServiceProcess.Start("TrainWorker", stack.Settings))
        await using (var first = new TrainingSystem(data, settings: stack.Settings, inProcessWorkers: false))
        {
            await first.StartAsync();
            id = await first.Submit(StackTraining.Job(shards: 2, rounds: 4));
            await first.WaitFor(id, j => j?.History.Count >= 1, TimeSpan.FromMinutes(2));
            firstWorker.Kill();
        }

        // Everything is down now; state, checkpoints and pending commands are in PostgreSQL, S3 and RabbitMQ.
        await using var worker = ServiceProcess.Start("TrainWorker", stack.Settings);
        await using var second = new TrainingSystem(data, settings: stack.Settings, inProcessWorkers: false);
        await second.StartAsync();
        var job = await second.WaitFor(id, TrainingSystem.IsOver, TimeSpan.FromMinutes(3));

        Assert.True(job.CurrentState == "Completed", $"{job.CurrentState}: {job.FailureReason}\n{worker.Output}");
        Assert.Equal([1, 2, 3, 4], job.History.Select(h => h.Round));
    }

    [Fact]
    public async Task The_final_model_is_identical_on_the_local_stack_and_in_embedded_mode()
    {
        var data = TrainingData.Create(trainRows: 10_000, validationRows: 1_000, seed: 6);
        var settings = StackTraining.Job(shards: 3, rounds: 3);
        byte[] embedded, onStack;
        await using (var local = new TrainingSystem(data))
        {
            await local.StartAsync();
            embedded = await local.Bytes((await local.RunJob(settings)).BestModel!);
        }

        await using (var stack = await StackTraining.CreateAsync())
        await using (var system = new TrainingSystem(data, settings: stack.Settings))
        {
            await system.StartAsync();
            onStack = await system.Bytes((await system.RunJob(settings)).BestModel!);
        }

        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(embedded)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(onStack)));
    }

    /// <summary>Restarts the shared broker, so test.sh runs it on its own after the other tests.</summary>
    [Fact]
    [Trait("Category", "BrokerRestart")]
    public async Task A_RabbitMQ_restart_in_the_middle_of_a_job_loses_nothing()
    {
        await using var stack = await StackTraining.CreateAsync();
        var data = TrainingData.Create(trainRows: 60_000, validationRows: 2_000, seed: 8);
        await using var system = new TrainingSystem(data, settings: stack.Settings);
        await system.StartAsync();
        var id = await system.Submit(StackTraining.Job(shards: 2, rounds: 5, hidden: [64, 64]));
        await system.WaitFor(id, j => j?.History.Count >= 1, TimeSpan.FromMinutes(2));

        await Run("rabbitmqctl", "stop_app");
        await Run("rabbitmqctl", "start_app");

        var job = await system.WaitFor(id, TrainingSystem.IsOver, TimeSpan.FromMinutes(4));
        Assert.True(job.CurrentState == "Completed", $"{job.CurrentState}: {job.FailureReason}");
        Assert.Equal([1, 2, 3, 4, 5], job.History.Select(h => h.Round));
    }

    private static async Task Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {arguments}: {await process.StandardError.ReadToEndAsync()}");
    }
}
