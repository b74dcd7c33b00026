using Pipeline.Platform.Artifacts;

namespace Pipeline.Platform.Tests;

public class ArtifactKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("jobs/123/prep/shard-0.bin")]
    [InlineData("models/house prices/3/model.pmdl")]
    [InlineData("données/été.csv")]
    public void Accepts_ordinary_keys(string key) => ArtifactKey.Validate(key);

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("/abs")]
    [InlineData("a/./b")]
    [InlineData("trailing/")]
    [InlineData("back\\slash")]
    [InlineData("nul\0byte")]
    [InlineData("tab\tkey")]
    [InlineData("bell\u0007")]
    [InlineData("c1\u0085control")]
    [InlineData("invoice\u202Egpj.exe")]
    [InlineData("isolate\u2066.csv")]
    public void Refuses_keys_that_escape_or_are_unprintable(string key) =>
        Assert.Throws<ArgumentException>(() => ArtifactKey.Validate(key));

    [Fact]
    public void Refuses_a_segment_over_255_bytes_which_no_file_system_can_name()
    {
        ArtifactKey.Validate("data/" + new string('é', 126) + ".c"); // 254 bytes
        var error = Assert.Throws<ArgumentException>(() => ArtifactKey.Validate("data/" + new string('é', 128)));
        Assert.Contains("255", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_keys_over_the_S3_limit() =>
        Assert.Throws<ArgumentException>(() => ArtifactKey.Validate(new string('é', 513)));

    [Theory]
    [InlineData("ingest", true)]
    [InlineData("my-bucket.2", true)]
    [InlineData("ab", false)]
    [InlineData("Upper", false)]
    [InlineData("-dash", false)]
    [InlineData("a..b", false)]
    public void Validates_bucket_names(string bucket, bool valid)
    {
        var ex = Record.Exception(() => ArtifactKey.ValidateBucket(bucket));
        Assert.Equal(valid, ex is null);
    }
}
