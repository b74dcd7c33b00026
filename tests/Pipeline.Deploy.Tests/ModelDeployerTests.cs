using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Deploy.Deployment;
using Pipeline.Deploy.Registry;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Deploy.Tests;

public sealed class ModelDeployerTests : IDisposable
{
    private static readonly DeployFixture Fixture = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("deploy-deployer-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_first_model_is_promoted_with_its_artifacts_and_a_model_card_carrying_test_metrics_baseline_and_lineage()
    {
        var (deployer, registry, store) = DeployFixture.Embedded(_folder);
        var command = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 20));

        var outcome = Assert.IsType<DeployOutcome.Deployed>(await deployer.DeployAsync(command, CancellationToken.None));

        Assert.Equal(1, outcome.Version);
        // In the target's unit: the fixture's price standard deviation is 80,000 (standardised RMSE below 1).
        Assert.True(outcome.Test.Rmse < 80_000, $"test RMSE {outcome.Test.Rmse}");
        var keys = await store.ListAsync("models", "houses/1/").Select(o => o.Key).ToListAsync();
        Assert.Equal(["houses/1/card.json", "houses/1/model.onnx", "houses/1/model.pnnm", "houses/1/transform.json"], keys);

        using var card = JsonDocument.Parse(await store.ReadAllBytesAsync("models", "houses/1/card.json"));
        var root = card.RootElement;
        Assert.Equal(outcome.Test.Rmse, root.GetProperty("test").GetProperty("rmse").GetDouble());
        Assert.True(root.GetProperty("baseline").GetProperty("test").GetProperty("rmse").GetDouble() > 0);
        Assert.Equal("training split", root.GetProperty("baseline").GetProperty("trainedOn").GetString());
        var lineage = root.GetProperty("lineage");
        Assert.Equal(command.JobId, lineage.GetProperty("jobId").GetGuid());
        Assert.Equal(command.DatasetSha256, lineage.GetProperty("datasetSha256").GetString());
        Assert.Equal(2, lineage.GetProperty("roundHistory").GetArrayLength());
        Assert.False(string.IsNullOrEmpty(lineage.GetProperty("engineVersion").GetString()));
        Assert.True(root.GetProperty("gate").GetProperty("promoted").GetBoolean());

        var record = await registry.FindProductionAsync("houses");
        Assert.Equal(1, record!.Version);
        Assert.Contains("rmse", record.TestMetricsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worse_model_is_rejected_with_the_reason_and_production_stays()
    {
        var (deployer, registry, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        await deployer.DeployAsync(await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 20)), CancellationToken.None);

        // Forced past the worth-serving check (an untrained model would fail it), so the version gate decides.
        var worse = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 0)) with { ForceDeploy = true };
        var outcome = Assert.IsType<DeployOutcome.Rejected>(await deployer.DeployAsync(worse, CancellationToken.None));

        Assert.Equal(2, outcome.Version);
        Assert.Contains("rejected by the quality gate", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(1, (await registry.FindProductionAsync("houses"))!.Version);
        Assert.Equal(ModelStage.Rejected, (await registry.FindAsync("houses", 2))!.Stage);

        // A redelivered command gets the same answer without a new version.
        var again = Assert.IsType<DeployOutcome.Rejected>(await deployer.DeployAsync(worse, CancellationToken.None));
        Assert.Equal(2, again.Version);
        Assert.Equal(2, (await registry.ListAsync("houses")).Count);
    }

    [Fact]
    public async Task A_first_version_worse_than_predicting_the_mean_is_not_deployed_and_stays_a_candidate()
    {
        var (deployer, registry, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var untrained = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 0));
        var outcome = Assert.IsType<DeployOutcome.Rejected>(await deployer.DeployAsync(untrained, CancellationToken.None));

        Assert.StartsWith("not worth serving: test R² ", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("predicting the training mean scores R² ", outcome.Reason, StringComparison.Ordinal);
        Assert.Null(await registry.FindProductionAsync("houses"));
        var kept = (await registry.FindAsync("houses", 1))!;
        Assert.Equal(ModelStage.Candidate, kept.Stage);
        Assert.Equal(outcome.Reason, kept.StageReason);
    }

    [Fact]
    public async Task Force_deploy_puts_a_model_that_is_not_worth_serving_into_production_and_says_so()
    {
        var (deployer, registry, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var untrained = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 0)) with { ForceDeploy = true };
        Assert.IsType<DeployOutcome.Deployed>(await deployer.DeployAsync(untrained, CancellationToken.None));
        Assert.Equal(1, (await registry.FindProductionAsync("houses"))!.Version);
        Assert.Contains("(forced: not worth serving", (await registry.HistoryAsync("houses")).Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_classification_model_is_gated_on_accuracy()
    {
        var fixture = new DeployFixture(TaskKind.Classification, rows: 1500);
        var (deployer, registry, store) = DeployFixture.Embedded(_folder);
        var outcome = Assert.IsType<DeployOutcome.Deployed>(await deployer.DeployAsync(await fixture.StageJobAsync(store, fixture.TrainModel(epochs: 20), "tiers"), CancellationToken.None));
        Assert.True(outcome.Test.Accuracy > 0.6, $"accuracy {outcome.Test.Accuracy}");
        Assert.True(outcome.Test.LogLoss < 1.0, $"log-loss {outcome.Test.LogLoss}");
        Assert.Equal("accuracy", (await registry.FindProductionAsync("tiers"))!.GateMetric);
    }

    [Fact]
    public async Task Mismatched_artifacts_or_a_bad_name_fail_the_deployment_with_a_reason()
    {
        var (deployer, _, store) = DeployFixture.Embedded(_folder, o => o.Baseline = false);
        var command = await Fixture.StageJobAsync(store, Fixture.TrainModel(epochs: 0));
        var other = new DeployFixture(TaskKind.Classification, rows: 100);
        var mismatched = command with { Model = (await other.StageJobAsync(store, other.TrainModel(0))).Model };

        Assert.Contains("outputs", Assert.IsType<DeployOutcome.Failed>(await deployer.DeployAsync(mismatched, CancellationToken.None)).Reason, StringComparison.Ordinal);
        Assert.Contains("name", Assert.IsType<DeployOutcome.Failed>(await deployer.DeployAsync(command with { ModelName = "../etc" }, CancellationToken.None)).Reason, StringComparison.Ordinal);
        var corrupt = command with { Model = command.Model with { Sha256 = new string('0', 64) } };
        Assert.IsType<DeployOutcome.Failed>(await deployer.DeployAsync(corrupt, CancellationToken.None));
    }
}
