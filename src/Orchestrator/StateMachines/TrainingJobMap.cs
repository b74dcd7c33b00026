using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Pipeline.Platform.Persistence;

namespace Pipeline.Orchestrator.StateMachines;

/// <summary>EF Core mapping of <see cref="TrainingJobState"/>.</summary>
internal static class TrainingJobMap
{
    public static void Configure(ModelBuilder modelBuilder, DatabaseFacade database)
    {
        var job = modelBuilder.Entity<TrainingJobState>().MapSaga(database, "training_jobs");
        job.Property(x => x.CurrentState).HasMaxLength(32);
        job.Property(x => x.ModelName).HasMaxLength(256);
        job.Property(x => x.DatasetId).HasMaxLength(128);
        job.Property(x => x.FailedStage).HasMaxLength(32);
        if (!database.IsNpgsql())
        {
            // SQLite stores DateTimeOffset as text it cannot compare or sort; the jobs API filters on UpdatedAt and
            // sorts on SubmittedAt, so those two are kept as UTC ticks there.
            job.Property(x => x.SubmittedAt).HasConversion(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
            job.Property(x => x.UpdatedAt).HasConversion(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
        }

        job.HasIndex(x => x.SubmittedAt);
        job.HasIndex(x => x.UpdatedAt);
        job.HasIndex(x => x.CurrentState);

        // Typed views over the JSON columns are not columns themselves.
        job.Ignore(x => x.Source);
        job.Ignore(x => x.Spec);
        job.Ignore(x => x.Prepared);
        job.Ignore(x => x.RoundResults);
        job.Ignore(x => x.Attempts);
        job.Ignore(x => x.History);
        job.Ignore(x => x.BestModel);
        job.Ignore(x => x.TestMetrics);
        job.Ignore(x => x.BaselineMetrics);
        job.Ignore(x => x.TrivialMetrics);
    }
}
