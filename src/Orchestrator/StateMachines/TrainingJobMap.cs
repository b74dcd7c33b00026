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

        // Structured parts are JSON text columns; the column names predate the typed properties.
        job.Property(x => x.Source).HasJsonConversion("SourceJson");
        job.Property(x => x.Spec).HasJsonConversion("SpecJson");
        job.Property(x => x.Prepared).HasJsonConversion("PreparedJson");
        job.Property(x => x.RoundResults).HasJsonConversion("RoundResultsJson");
        job.Property(x => x.Attempts).HasJsonConversion("AttemptsJson");
        job.Property(x => x.History).HasJsonConversion("HistoryJson");
        job.Property(x => x.BestModel).HasJsonConversion("BestModelJson");
        job.Property(x => x.TestMetrics).HasJsonConversion("TestMetricsJson");
        job.Property(x => x.BaselineMetrics).HasJsonConversion("BaselineMetricsJson");
        job.Property(x => x.TrivialMetrics).HasJsonConversion("TrivialMetricsJson");
    }
}
