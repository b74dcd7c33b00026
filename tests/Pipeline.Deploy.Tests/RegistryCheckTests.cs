using Pipeline.Deploy.Deployment;
using Pipeline.Deploy.Registry;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Deploy.Tests;

/// <summary>Issue #18, item 5: the registry's orphan check, as a pure function over rows and objects.</summary>
public sealed class RegistryCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionOptions Options = new() { OrphanGrace = TimeSpan.FromDays(1) };

    [Fact]
    public void A_version_missing_a_file_is_reported_with_its_job_and_a_complete_one_is_not()
    {
        var complete = Row("flats", 1, ModelStage.Archived);
        var broken = Row("flats", 2, ModelStage.Production);
        var objects = Files("flats", 1).Concat(Files("flats", 2).Where(o => !o.Key.EndsWith(ModelArtifactKeys.OnnxFile, StringComparison.Ordinal))).ToList();

        var report = RegistryCheck.Find("models", [complete, broken], objects, Options, Now, dryRun: true, deleteOrphans: false);

        var missing = Assert.Single(report.MissingArtifacts);
        Assert.Equal(("flats", 2, broken.JobId, "production"), (missing.Name, missing.Version, missing.JobId, missing.Stage));
        Assert.Equal([ModelArtifactKeys.OnnxFile], missing.Files);
        Assert.Empty(report.Orphans);
    }

    [Fact]
    public void A_candidate_still_storing_its_files_is_not_reported_but_a_stale_one_is()
    {
        var storing = Row("flats", 3, ModelStage.Candidate, created: Now.AddMinutes(-5));
        var stale = Row("flats", 4, ModelStage.Candidate, created: Now.AddDays(-2));
        var report = RegistryCheck.Find("models", [storing, stale], [], Options, Now, dryRun: true, deleteOrphans: false);
        Assert.Equal([4], report.MissingArtifacts.Select(m => m.Version));
    }

    [Fact]
    public void Files_no_version_owns_are_orphans_deleted_only_when_asked_old_and_shaped_like_a_version_folder()
    {
        var old = Files("flats", 7).ToList();
        var fresh = Files("flats", 8).Select(o => o with { LastModified = Now.AddHours(-1) }).ToList();
        var stray = new ArtifactInfo("models", "notes.txt", 10, Now.AddDays(-30), null, new Dictionary<string, string>());
        var objects = Files("flats", 1).Concat(old).Concat(fresh).Append(stray).ToList();

        var reported = RegistryCheck.Find("models", [Row("flats", 1, ModelStage.Production)], objects, Options, Now, dryRun: true, deleteOrphans: false);
        Assert.Equal(["flats/7/", "flats/8/", "notes.txt"], reported.Orphans.Select(o => o.Prefix));
        Assert.All(reported.Orphans, o => Assert.False(o.Delete));
        Assert.Equal(9, reported.OrphanObjects);
        Assert.Equal((4 * 100 * 2) + 10, reported.OrphanBytes);

        var deleting = RegistryCheck.Find("models", [Row("flats", 1, ModelStage.Production)], objects, Options, Now, dryRun: false, deleteOrphans: true);
        Assert.Equal(["flats/7/"], deleting.Orphans.Where(o => o.Delete).Select(o => o.Prefix));
        Assert.Equal(4, deleting.DeletedObjects);
    }

    private static IEnumerable<ArtifactInfo> Files(string name, int version) =>
        RegistryCheck.VersionFiles.Select(f => new ArtifactInfo("models", ModelArtifactKeys.Key(name, version, f), 100, Now.AddDays(-30), null, new Dictionary<string, string>()));

    private static ModelVersionRecord Row(string name, int version, ModelStage stage, DateTimeOffset? created = null) => new()
    {
        Name = name,
        Version = version,
        JobId = Guid.NewGuid(),
        Stage = stage,
        Task = "regression",
        GateMetric = "rmse",
        TestScore = 1,
        TestMetricsJson = "{}",
        ValidationMetricsJson = "{}",
        LineageJson = "{}",
        ArtifactBucket = "models",
        ArtifactPrefix = ModelArtifactKeys.Prefix(name, version),
        CreatedAt = (created ?? Now.AddDays(-30)).UtcDateTime,
    };
}
