using Microsoft.EntityFrameworkCore;
using Pipeline.Deploy.Registry;
using Pipeline.Platform.IntegrationTests;

namespace Pipeline.Deploy.IntegrationTests;

/// <summary>The registry's race rules on real PostgreSQL, where the one-production index is what settles them.</summary>
public sealed class RegistryOnPostgresTests
{
    [Fact]
    public async Task Concurrent_deployments_and_rollbacks_of_one_name_leave_exactly_one_production_version_and_a_consistent_history()
    {
        await using var database = await TempDatabase.CreateAsync(LocalStack.Settings()["Pipeline:Database:ConnectionString"]!);
        var factory = new PostgresFactory(database.ConnectionString);
        await using (var db = factory.CreateDbContext())
        {
            await db.Database.MigrateAsync();
        }

        var registry = new ModelRegistry(factory, TimeProvider.System);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var record = await registry.RegisterCandidateAsync(Record(1.0 - (i * 0.001)));
            return await registry.DecideAsync("race", record.Version, GateMetric.Rmse, 0.01, "test");
        })));

        var versions = await registry.ListAsync("race");
        Assert.Equal(Enumerable.Range(1, 8), versions.Select(v => v.Version));
        Assert.Single(versions, v => v.Stage == ModelStage.Production);
        Assert.All(outcomes, o => Assert.True(o.Promoted)); // each within tolerance of whoever was production

        var rollbacks = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => registry.RollbackAsync("race", null, "racer"))));
        Assert.All(rollbacks, r => Assert.True(r.Succeeded, r.Message));
        Assert.Single(await registry.ListAsync("race"), v => v.Stage == ModelStage.Production);
        var history = await registry.HistoryAsync("race");
        Assert.Single(history, h => h.Until is null);
    }

    private static ModelVersionRecord Record(double rmse) => new()
    {
        Name = "race",
        Version = 0,
        JobId = Guid.NewGuid(),
        Task = "regression",
        GateMetric = "rmse",
        TestScore = rmse,
        TestMetricsJson = "{}",
        ValidationMetricsJson = "{}",
        LineageJson = "{}",
        ArtifactBucket = "models",
        ArtifactPrefix = "",
        CreatedAt = default,
    };

    private sealed class PostgresFactory(string connectionString) : IDbContextFactory<DeployDbContext>
    {
        public DeployDbContext CreateDbContext() =>
            new PostgresDeployDbContext(new DbContextOptionsBuilder<PostgresDeployDbContext>().UseNpgsql(connectionString).Options);
    }
}
