using Pipeline.Deploy.Registry;

namespace Pipeline.Deploy.Tests;

public sealed class ModelRegistryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("deploy-registry-").FullName;
    private readonly ModelRegistry _registry;

    public ModelRegistryTests() => _registry = DeployFixture.SqliteRegistry(Path.Combine(_folder, "r.db"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Versions_are_numbered_per_name_and_registering_a_job_twice_gives_the_same_version()
    {
        var job = Guid.NewGuid();
        var first = await _registry.RegisterCandidateAsync(Record("a", job, 1.0));
        var again = await _registry.RegisterCandidateAsync(Record("a", job, 1.0));
        var second = await _registry.RegisterCandidateAsync(Record("a", Guid.NewGuid(), 1.0));
        var other = await _registry.RegisterCandidateAsync(Record("b", Guid.NewGuid(), 1.0));
        Assert.Equal((1, 1, 2, 1), (first.Version, again.Version, second.Version, other.Version));
        Assert.Equal("a/2/", second.ArtifactPrefix);
    }

    [Fact]
    public async Task The_gate_promotes_the_first_version_archives_the_replaced_one_and_rejects_a_worse_one_with_the_reason()
    {
        var v1 = await Gate("m", 1.00);
        var v2 = await Gate("m", 0.95);
        var v3 = await Gate("m", 1.50);
        var v4 = await Gate("m", 0.955); // within 1 % of v2

        Assert.True(v1.Promoted);
        Assert.True(v2.Promoted);
        Assert.Equal(1, v2.PreviousProduction);
        Assert.False(v3.Promoted);
        Assert.Contains("rejected", v3.Reason, StringComparison.Ordinal);
        Assert.True(v4.Promoted);

        var versions = await _registry.ListAsync("m");
        Assert.Equal([ModelStage.Archived, ModelStage.Archived, ModelStage.Rejected, ModelStage.Production], versions.Select(v => v.Stage));
        Assert.Equal(v3.Reason, versions[2].StageReason);
        Assert.Equal(4, (await _registry.FindProductionAsync("m"))!.Version);

        var history = await _registry.HistoryAsync("m");
        Assert.Equal([1, 2, 4], history.Select(h => h.Version));
        Assert.All(history.SkipLast(1), h => Assert.NotNull(h.Until));
        Assert.Null(history[^1].Until);
    }

    [Fact]
    public async Task Deciding_a_decided_version_again_keeps_the_decision()
    {
        await Gate("m", 1.0);
        var rejected = await Gate("m", 2.0);
        var again = await _registry.DecideAsync("m", 2, GateMetric.Rmse, 0.01, "again");
        Assert.False(again.Promoted);
        Assert.Equal(rejected.Reason, again.Reason);
    }

    [Fact]
    public async Task Rollback_goes_to_the_previous_production_version_or_the_one_asked_for_and_keeps_the_history()
    {
        await Gate("m", 1.0);
        await Gate("m", 0.9);
        await Gate("m", 0.8);

        var back = await _registry.RollbackAsync("m", null, "alice");
        Assert.True(back.Succeeded);
        Assert.Equal((3, 2), (back.FromVersion, back.ToVersion));

        var toFirst = await _registry.RollbackAsync("m", 1, "bob");
        Assert.Equal((2, 1), (toFirst.FromVersion, toFirst.ToVersion));
        Assert.Equal(1, (await _registry.FindProductionAsync("m"))!.Version);

        var history = await _registry.HistoryAsync("m");
        Assert.Equal([1, 2, 3, 2, 1], history.Select(h => h.Version));
        Assert.Contains("requested by alice", history[3].Reason, StringComparison.Ordinal);
        Assert.Contains("requested by bob", history[4].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_refuses_unknown_models_rejected_versions_and_a_model_with_nothing_before()
    {
        Assert.Equal(RollbackError.NotFound, (await _registry.RollbackAsync("nope", null, "x")).Error);
        await Gate("m", 1.0);
        Assert.Equal(RollbackError.Conflict, (await _registry.RollbackAsync("m", null, "x")).Error);
        await Gate("m", 5.0); // rejected v2
        Assert.Equal(RollbackError.Conflict, (await _registry.RollbackAsync("m", 2, "x")).Error);
        Assert.Equal(RollbackError.NotFound, (await _registry.RollbackAsync("m", 9, "x")).Error);
        Assert.Equal(1, (await _registry.FindProductionAsync("m"))!.Version);
    }

    [Fact]
    public async Task Concurrent_deployments_of_one_name_get_distinct_versions_and_leave_one_production()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => Gate("race", 1.0 - (i * 0.001)))));
        var versions = await _registry.ListAsync("race");
        Assert.Equal(6, versions.Select(v => v.Version).Distinct().Count());
        Assert.Single(versions, v => v.Stage == ModelStage.Production);
        Assert.Contains(outcomes, o => o.Promoted);
    }

    private async Task<GateOutcome> Gate(string name, double rmse)
    {
        var record = await _registry.RegisterCandidateAsync(Record(name, Guid.NewGuid(), rmse));
        return await _registry.DecideAsync(name, record.Version, GateMetric.Rmse, 0.01, "test");
    }

    private static ModelVersionRecord Record(string name, Guid job, double rmse) => new()
    {
        Name = name,
        Version = 0,
        JobId = job,
        Task = "regression",
        GateMetric = "rmse",
        TestScore = rmse,
        TestMetricsJson = $"{{\"rmse\":{rmse.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}",
        ValidationMetricsJson = "{}",
        LineageJson = "{}",
        ArtifactBucket = "models",
        ArtifactPrefix = "",
        CreatedAt = default,
    };
}
