using System.Text.Json;
using Pipeline.Deploy.Serving;

namespace Pipeline.Deploy.Tests;

public class RowEncoderTests
{
    private static readonly DeployFixture Fixture = new(rows: 50);

    [Fact]
    public void Accepted_rows_give_exactly_the_features_of_the_fitted_transform()
    {
        var encoder = new RowEncoder(Fixture.Transform);
        var features = new float[encoder.FeatureCount];
        foreach (var raw in Fixture.RawRows)
        {
            var row = JsonSerializer.SerializeToElement(raw);
            Assert.True(encoder.TryEncode(row, 0, features, [], []));
            Assert.Equal(Fixture.Transform.Apply(row), features);
        }
    }

    [Fact]
    public void Null_is_imputed_as_the_transform_does()
    {
        var row = JsonSerializer.SerializeToElement(new Dictionary<string, object?> { ["sqft"] = null, ["rooms"] = null, ["garden"] = null, ["sold"] = null, ["city"] = null });
        var encoder = new RowEncoder(Fixture.Transform);
        var features = new float[encoder.FeatureCount];
        Assert.True(encoder.TryEncode(row, 0, features, [], []));
        Assert.Equal(Fixture.Transform.Apply(row), features);
    }

    [Theory]
    [InlineData("""{"rooms":3,"garden":true,"sold":"2023-01-02","city":"nice"}""", "sqft", "missing feature")]
    [InlineData("""{"sqft":1,"rooms":3,"garden":true,"sold":"2023-01-02","city":"nice","pool":1}""", "pool", "unknown feature")]
    [InlineData("""{"sqft":"big","rooms":3,"garden":true,"sold":"2023-01-02","city":"nice"}""", "sqft", "must be a number")]
    [InlineData("""{"sqft":"NaN","rooms":3,"garden":true,"sold":"2023-01-02","city":"nice"}""", "sqft", "NaN and infinity")]
    [InlineData("""{"sqft":"-Infinity","rooms":3,"garden":true,"sold":"2023-01-02","city":"nice"}""", "sqft", "NaN and infinity")]
    [InlineData("""{"sqft":1e999,"rooms":3,"garden":true,"sold":"2023-01-02","city":"nice"}""", "sqft", "not a finite number")]
    [InlineData("""{"sqft":1,"rooms":3,"garden":"maybe","sold":"2023-01-02","city":"nice"}""", "garden", "true or false")]
    [InlineData("""{"sqft":1,"rooms":3,"garden":true,"sold":"02/01/2023","city":"nice"}""", "sold", "date")]
    [InlineData("""{"sqft":1,"rooms":3,"garden":true,"sold":"2023-01-02","city":["nice"]}""", "city", "must be a string")]
    public void A_bad_field_is_refused_by_name(string json, string field, string message)
    {
        var encoder = new RowEncoder(Fixture.Transform);
        var errors = new List<FieldError>();
        Assert.False(encoder.TryEncode(JsonDocument.Parse(json).RootElement, 3, new float[encoder.FeatureCount], errors, []));
        var error = Assert.Single(errors);
        Assert.Equal((3, field), (error.Row, error.Field));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unseen_category_is_encoded_as_all_zeros_with_a_warning()
    {
        var encoder = new RowEncoder(Fixture.Transform);
        var warnings = new List<FieldError>();
        var features = new float[encoder.FeatureCount];
        var row = JsonDocument.Parse("""{"sqft":1500,"rooms":3,"garden":false,"sold":"2023-01-02","city":"brest","price":12}""").RootElement;
        Assert.True(encoder.TryEncode(row, 0, features, [], warnings));
        Assert.Equal("city", Assert.Single(warnings).Field);
        Assert.Equal([0f, 0f, 0f], features[^3..]);
    }

    [Fact]
    public void The_target_and_columns_dropped_in_training_are_ignored_and_named_but_other_names_are_refused()
    {
        var encoder = new RowEncoder(Fixture.Transform with { DroppedColumns = ["listing_id"] });
        var ignored = new SortedSet<string>(StringComparer.Ordinal);
        var errors = new List<FieldError>();
        var row = JsonDocument.Parse("""{"sqft":1500,"rooms":3,"garden":false,"sold":"2023-01-02","city":"nice","price":12,"listing_id":"A7"}""").RootElement;
        Assert.True(encoder.TryEncode(row, 0, new float[encoder.FeatureCount], errors, [], ignored));
        Assert.Equal(["listing_id", Fixture.Transform.Target], ignored);

        var typo = JsonDocument.Parse("""{"sqft":1500,"rooms":3,"garden":false,"sold":"2023-01-02","city":"nice","listing":"A7"}""").RootElement;
        Assert.False(encoder.TryEncode(typo, 0, new float[encoder.FeatureCount], errors, [], ignored));
        Assert.Equal("listing", Assert.Single(errors).Field);
    }
}
