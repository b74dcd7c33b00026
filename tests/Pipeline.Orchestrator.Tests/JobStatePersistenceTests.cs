using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Pipeline.Contracts;
using Pipeline.Orchestrator.StateMachines;

namespace Pipeline.Orchestrator.Tests;

/// <summary>
/// The saga's structured parts are typed JSON columns: changed in place, they are saved without being assigned
/// back (the read-modify-assign pattern that lost data when the assignment was forgotten is gone), and they come
/// back equal from a fresh context.
/// </summary>
public sealed class JobStatePersistenceTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public JobStatePersistenceTests()
    {
        _connection.Open();
        using var db = NewContext();
        db.Database.EnsureCreated();
    }

    [Fact]
    public async Task Collections_changed_in_place_are_saved_and_read_back()
    {
        var id = Guid.NewGuid();
        var model = new ObjectRef("jobs", "m/1.model", "abc", 10);
        await using (var db = NewContext())
        {
            db.Jobs.Add(new TrainingJobState { CorrelationId = id, CurrentState = "Training", Source = new ObjectRef("ingest", "a.csv", "", 5), Spec = new JobSpec { Target = "price" } });
            await db.SaveChangesAsync();
        }

        await using (var db = NewContext())
        {
            var job = await db.Jobs.SingleAsync(j => j.CorrelationId == id);
            job.RoundResults.Add(new ShardResult(0, model, 100, 0.5, "w1"));
            job.Attempts[0] = 2;
            job.History.Add(new RoundRecord(1, 0.6, 0.5, new ModelMetrics { Rmse = 1.5 }, model, DateTimeOffset.UnixEpoch, []));
            job.BestModel = model;
            await db.SaveChangesAsync();
        }

        await using (var db = NewContext())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.CorrelationId == id);
            Assert.Equal("w1", Assert.Single(job.RoundResults).Worker);
            Assert.Equal(2, job.Attempts[0]);
            Assert.Equal(1.5, Assert.Single(job.History).Validation.Rmse);
            Assert.Equal(model, job.BestModel);
            Assert.Equal("price", job.Spec.Target);
            Assert.Equal("a.csv", job.Source.Key);
            Assert.Null(job.Prepared);
            Assert.Null(job.TestMetrics);
        }
    }

    [Fact]
    public async Task An_unchanged_job_is_not_written_again()
    {
        var id = Guid.NewGuid();
        await using (var db = NewContext())
        {
            db.Jobs.Add(new TrainingJobState { CorrelationId = id, CurrentState = "Training" });
            await db.SaveChangesAsync();
        }

        await using (var db = NewContext())
        {
            _ = await db.Jobs.SingleAsync(j => j.CorrelationId == id);
            Assert.Equal(0, await db.SaveChangesAsync());
        }
    }

    private SqliteOrchestratorDbContext NewContext() =>
        new(new DbContextOptionsBuilder<SqliteOrchestratorDbContext>().UseSqlite(_connection).Options);

    public void Dispose() => _connection.Dispose();
}
