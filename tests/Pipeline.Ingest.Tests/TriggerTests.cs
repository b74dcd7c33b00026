using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Ingest.Spec;
using Pipeline.Ingest.Triggers;

namespace Pipeline.Ingest.Tests;

public class TriggerTests
{
    [Fact]
    public void Job_ids_depend_on_the_object_version_and_the_spec()
    {
        var spec = new JobSpec { Target = "price" };
        var a = JobIds.ForObjectVersion("ingest", "houses.csv", "\"9B2CF535F27731C974343645A3985328\"", spec);
        var b = JobIds.ForObjectVersion("ingest", "houses.csv", "9b2cf535f27731c974343645a3985328", spec with { SubmittedBy = "someone else" });
        Assert.Equal(a, b);
        Assert.Equal(5, a.Version);
        Assert.NotEqual(a, JobIds.ForObjectVersion("ingest", "houses.csv", "0000", spec));
        Assert.NotEqual(a, JobIds.ForObjectVersion("ingest", "houses.csv", "9b2cf535f27731c974343645a3985328", spec with { Target = "rooms" }));
        Assert.NotEqual(a, JobIds.ForObjectVersion("ingest", "houses.csv", "9b2cf535f27731c974343645a3985328", spec with { ModelName = "other" }));
        Assert.NotEqual(a, JobIds.ForObjectVersion("ingest", "houses.csv", "9b2cf535f27731c974343645a3985328", spec with { Training = spec.Training with { Seed = 7 } }));
    }

    [Fact]
    public void An_upload_and_the_listing_that_reads_its_metadata_back_agree_on_the_spec()
    {
        var spec = new JobSpec
        {
            Target = "price",
            ModelName = "houses",
            Task = TaskKind.Regression,
            ForceDeploy = true,
            Training = new TrainingSettings { Rounds = 12, HiddenLayers = [32, 16], LearningRate = 0.003, Seed = 9 },
        };
        var (readBack, errors) = JobSpecMetadata.Parse(JobSpecMetadata.ToMetadata(spec));
        Assert.Empty(errors);
        Assert.Equal(JobIds.SpecFingerprint(spec), JobIds.SpecFingerprint(readBack));
    }

    [Fact]
    public void Name_based_uuid_matches_rfc_4122_version_5()
    {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") == 886313e1-3b8a-5372-9b90-0c9aee199e5d
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"), JobIds.NameBased(dns, "python.org"));
    }

    [Fact]
    public void Minio_event_json_is_read_with_its_url_encoded_key()
    {
        const string json = """
            {"EventName":"s3:ObjectCreated:Put","Key":"ingest/my data/houses 2024.csv","Records":[{"eventName":"s3:ObjectCreated:Put",
            "s3":{"bucket":{"name":"ingest"},"object":{"key":"my+data%2Fhouses+2024.csv","size":42,"eTag":"abc","versionId":"v1",
            "sequencer":"17","userMetadata":{"X-Amz-Meta-Target":"price"}}}}]}
            """;
        var e = JsonSerializer.Deserialize<MinioBucketEvent>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var o = e.Records![0].S3!.Object!;
        Assert.Equal("ingest", e.Records[0].S3!.Bucket!.Name);
        Assert.Equal("my data/houses 2024.csv", o.DecodedKey);
        Assert.Equal("abc", o.ETag);
        Assert.Equal(42, o.Size);
    }

    [Theory]
    [InlineData("rejected/houses.csv", true)]
    [InlineData("folder/", true)]
    [InlineData("houses.csv", false)]
    public void Rejected_files_and_folders_are_not_watched(string key, bool ignored) =>
        Assert.Equal(ignored, BucketWatcher.IsIgnored(key, new IngestOptions()));
}
