using Microsoft.EntityFrameworkCore;

namespace Pipeline.Deploy.Registry;

/// <summary>
/// The registry's operations. Every change of stage runs in one snapshot (repeatable-read) transaction, so its
/// reads agree with each other, archiving the old production version before promoting the new one, so the "one
/// production per name" index holds at every statement. Racing changes of one name fail (serialization failure,
/// the index, or the stage concurrency token) and run again from a fresh snapshot.
/// </summary>
public sealed class ModelRegistry(IDbContextFactory<DeployDbContext> contexts, TimeProvider clock)
{
    private const int VersionRaceAttempts = 10;

    public async Task<ModelVersionRecord?> FindByJobAsync(string name, Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Versions.AsNoTracking().FirstOrDefaultAsync(x => x.Name == name && x.JobId == jobId, cancellationToken);
    }

    public async Task<ModelVersionRecord?> FindAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Versions.AsNoTracking().FirstOrDefaultAsync(x => x.Name == name && x.Version == version, cancellationToken);
    }

    public async Task<ModelVersionRecord?> FindProductionAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Versions.AsNoTracking().FirstOrDefaultAsync(x => x.Name == name && x.Stage == ModelStage.Production, cancellationToken);
    }

    /// <summary>Every version of every model, by name then version.</summary>
    public async Task<IReadOnlyList<ModelVersionRecord>> ListAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Versions.AsNoTracking();
        if (name is not null)
        {
            query = query.Where(x => x.Name == name);
        }

        return await query.OrderBy(x => x.Name).ThenBy(x => x.Version).ToListAsync(cancellationToken);
    }

    /// <summary>Who was production when, oldest first.</summary>
    public async Task<IReadOnlyList<ProductionPeriodRecord>> HistoryAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ProductionPeriods.AsNoTracking().Where(x => x.Name == name).OrderBy(x => x.Id).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Registers the job's model as the next version of its name, as a candidate. Idempotent per (name, job): a
    /// redelivered command gets the version it registered before. Two jobs racing for the same next number: the
    /// primary key refuses one, which takes the number after.
    /// </summary>
    public async Task<ModelVersionRecord> RegisterCandidateAsync(ModelVersionRecord candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        for (var attempt = 1; ; attempt++)
        {
            var existing = await FindByJobAsync(candidate.Name, candidate.JobId, cancellationToken);
            if (existing is not null)
            {
                return existing;
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var last = await db.Versions.Where(x => x.Name == candidate.Name).MaxAsync(x => (int?)x.Version, cancellationToken) ?? 0;
            candidate.Version = last + 1;
            candidate.ArtifactPrefix = Deployment.ModelArtifactKeys.Prefix(candidate.Name, candidate.Version);
            candidate.Stage = ModelStage.Candidate;
            candidate.CreatedAt = candidate.StageChangedAt = Now();
            db.Versions.Add(candidate);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return candidate;
            }
            catch (Exception ex) when (attempt < VersionRaceAttempts && ex is DbUpdateException or System.Data.Common.DbException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 30) * attempt), cancellationToken);
                // Another deployment took the number (or this job's row appeared): look again.
            }
        }
    }

    /// <summary>
    /// Applies the quality gate to a candidate against the current production version and records the outcome:
    /// promoted (old production archived, history updated) or rejected with the reason. Idempotent: a version
    /// already decided keeps its decision.
    /// </summary>
    public Task<GateOutcome> DecideAsync(string name, int version, GateMetric metric, double tolerance, string promotedReason, CancellationToken cancellationToken = default) =>
        RetryOnConflictAsync(() => DecideOnceAsync(name, version, metric, tolerance, promotedReason, cancellationToken), cancellationToken);

    private async Task<GateOutcome> DecideOnceAsync(string name, int version, GateMetric metric, double tolerance, string promotedReason, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            var candidate = await db.Versions.SingleAsync(x => x.Name == name && x.Version == version, ct);
            if (candidate.Stage != ModelStage.Candidate)
            {
                return new GateOutcome(candidate.Stage != ModelStage.Rejected, candidate.StageReason ?? "", null);
            }

            var production = await db.Versions.FirstOrDefaultAsync(x => x.Name == name && x.Stage == ModelStage.Production, ct);
            var productionScore = production is not null && production.GateMetric == metric.Name ? production.TestScore : (double?)null;
            var decision = QualityGate.Decide(metric, candidate.TestScore, production?.Version, productionScore, tolerance);
            if (!decision.Promote)
            {
                SetStage(candidate, ModelStage.Rejected, decision.Reason);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return new GateOutcome(false, decision.Reason, production?.Version);
            }

            await SwapProductionAsync(db, production, candidate, decision.Reason, $"{promotedReason}: {decision.Reason}", ct);
            await transaction.CommitAsync(ct);
            return new GateOutcome(true, decision.Reason, production?.Version);
        }, cancellationToken);
    }

    /// <summary>
    /// Removes a candidate whose artifacts could not all be stored, so no row points at missing objects; a version
    /// the gate already decided is kept. The next attempt registers the job's version again.
    /// </summary>
    public async Task<bool> ForgetCandidateAsync(string name, int version, Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Versions.Where(x => x.Name == name && x.Version == version && x.JobId == jobId && x.Stage == ModelStage.Candidate)
            .ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Records why a candidate stays a candidate (not worth serving), leaving its stage as it is.</summary>
    public async Task NoteAsync(string name, int version, string reason, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Versions.Where(x => x.Name == name && x.Version == version && x.Stage == ModelStage.Candidate)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.StageReason, reason), cancellationToken);
    }

    /// <summary>
    /// Makes an earlier version production again: <paramref name="toVersion"/>, or the version that was production
    /// before the current one. Only versions that have been production before (archived) can be rolled back to.
    /// </summary>
    public Task<RollbackResult> RollbackAsync(string name, int? toVersion, string requestedBy, CancellationToken cancellationToken = default) =>
        RetryOnConflictAsync(() => RollbackOnceAsync(name, toVersion, requestedBy, cancellationToken), cancellationToken);

    private async Task<RollbackResult> RollbackOnceAsync(string name, int? toVersion, string requestedBy, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            var production = await db.Versions.FirstOrDefaultAsync(x => x.Name == name && x.Stage == ModelStage.Production, ct);
            if (production is null)
            {
                var known = await db.Versions.AnyAsync(x => x.Name == name, ct);
                return RollbackResult.Refused(known ? RollbackError.Conflict : RollbackError.NotFound, known ? $"model '{name}' has no production version to roll back from" : $"model '{name}' is not registered");
            }

            var target = toVersion ?? await PreviousProductionAsync(db, name, production.Version, ct);
            if (target is null)
            {
                return RollbackResult.Refused(RollbackError.Conflict, $"model '{name}' has no earlier production version to roll back to");
            }

            if (target == production.Version)
            {
                return RollbackResult.Done(production.Version, production.Version);
            }

            var record = await db.Versions.FirstOrDefaultAsync(x => x.Name == name && x.Version == target, ct);
            if (record is null)
            {
                return RollbackResult.Refused(RollbackError.NotFound, $"model '{name}' has no version {target}");
            }

            if (record.Stage != ModelStage.Archived)
            {
                return RollbackResult.Refused(RollbackError.Conflict, $"version {target} of '{name}' is {record.Stage.ToString().ToLowerInvariant()}; only a version that was production before can be rolled back to");
            }

            var reason = $"rollback from v{production.Version} requested by {requestedBy}";
            await SwapProductionAsync(db, production, record, reason, reason, ct);
            await transaction.CommitAsync(ct);
            return RollbackResult.Done(production.Version, record.Version);
        }, cancellationToken);
    }

    /// <summary>
    /// Two stage changes of one name at once: the one-production index (PostgreSQL) or the write lock (SQLite)
    /// refuses one of them, which then runs again from a fresh read and so decides against the winner.
    /// </summary>
    private static async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception ex) when (attempt < VersionRaceAttempts * 2 && IsConflict(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 50) * attempt), cancellationToken);
            }
        }
    }

    // EF wraps a transient failure (PostgreSQL's serialization failure) in InvalidOperationException when no
    // retrying execution strategy is configured.
    private static bool IsConflict(Exception ex) =>
        ex is DbUpdateException or System.Data.Common.DbException
        || (ex is InvalidOperationException && ex.InnerException is DbUpdateException or System.Data.Common.DbException);

    private async Task SwapProductionAsync(DeployDbContext db, ModelVersionRecord? current, ModelVersionRecord next, string stageReason, string periodReason, CancellationToken ct)
    {
        var now = Now();
        if (current is not null)
        {
            SetStage(current, ModelStage.Archived, $"replaced by v{next.Version}");
            var open = await db.ProductionPeriods.Where(x => x.Name == current.Name && x.Until == null).ToListAsync(ct);
            foreach (var period in open)
            {
                period.Until = now;
            }

            // Archive first, in its own statement, so the one-production index never sees two.
            await db.SaveChangesAsync(ct);
        }

        SetStage(next, ModelStage.Production, stageReason);
        db.ProductionPeriods.Add(new ProductionPeriodRecord { Name = next.Name, Version = next.Version, Since = now, Reason = periodReason });
        await db.SaveChangesAsync(ct);
    }

    private static async Task<int?> PreviousProductionAsync(DeployDbContext db, string name, int current, CancellationToken ct) =>
        await db.ProductionPeriods.Where(x => x.Name == name && x.Version != current)
            .OrderByDescending(x => x.Id).Select(x => (int?)x.Version).FirstOrDefaultAsync(ct);

    private void SetStage(ModelVersionRecord record, ModelStage stage, string reason)
    {
        record.Stage = stage;
        record.StageReason = reason;
        record.StageChangedAt = Now();
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;
}

/// <summary>The gate's outcome as recorded: promoted or not, why, and the production version it was compared with.</summary>
public sealed record GateOutcome(bool Promoted, string Reason, int? PreviousProduction);

public enum RollbackError
{
    None,
    NotFound,
    Conflict,
}

public sealed record RollbackResult(RollbackError Error, string? Message, int FromVersion, int ToVersion)
{
    public bool Succeeded => Error == RollbackError.None;

    public static RollbackResult Done(int from, int to) => new(RollbackError.None, null, from, to);

    public static RollbackResult Refused(RollbackError error, string message) => new(error, message, 0, 0);
}
