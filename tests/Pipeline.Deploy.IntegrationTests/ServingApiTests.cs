using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Deploy.Tests;

namespace Pipeline.Deploy.IntegrationTests;

/// <summary>One Deploy service on the local stack with one deployed model, shared by the serving API tests.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public DeployFixture Data { get; } = new(rows: 1000);

    public DeployStack Stack { get; private set; } = null!;

    public DeployHost Host { get; private set; } = null!;

    public Numerics.Layers.Network Model { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await DeployStack.CreateAsync(s => s["Pipeline:Deploy:Serving:MaxBatchRows"] = "300");
        Host = await DeployHost.StartAsync(Stack.Settings);
        var events = await DeploymentEvents.ConnectAsync(Host.Bus);
        Model = Data.TrainModel(epochs: 10);
        Assert.IsType<ModelDeployed>(await events.DeployAsync(await Data.StageJobAsync(Host.Store, Model, "houses")));
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Stack.DisposeAsync();
    }
}

public sealed class ServingApiTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private const string GoodRow = """{"sqft":1720.5,"rooms":4,"garden":true,"sold":"2023-05-06","city":"lyon"}""";

    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task One_row_and_a_batch_are_predicted_by_the_production_version_as_our_engine_predicts_them()
    {
        var rows = fixture.Data.TestRawRows.Take(50).ToList();
        using var batch = await Http.PostAsJsonAsync("/predict/houses", rows);
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        using var body = JsonDocument.Parse(await batch.Content.ReadAsStringAsync());
        Assert.Equal(1, body.RootElement.GetProperty("version").GetInt32());
        var predictions = body.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("value").GetSingle()).ToArray();

        var expected = new float[rows.Count];
        fixture.Model.Predict(fixture.Data.Test.Features.AsSpan(0, rows.Count * fixture.Data.Transform.FeatureCount), rows.Count, expected);
        Assert.Equal(expected.Select(e => (float)fixture.Data.Transform.DecodeTarget(e)), predictions);
        Assert.All(predictions, p => Assert.InRange(p, -500_000f, 1_500_000f)); // prices, not z-scores

        using var single = await Post("/predict/houses", GoodRow);
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        using var one = JsonDocument.Parse(await single.Content.ReadAsStringAsync());
        Assert.Single(one.RootElement.GetProperty("predictions").EnumerateArray());

        using var pinned = await Post("/predict/houses/1", GoodRow);
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
    }

    [Theory]
    [InlineData("/predict/houses", """{"rooms":4,"garden":true,"sold":"2023-05-06","city":"lyon"}""", 400, "sqft")]
    [InlineData("/predict/houses", """{"sqft":1,"rooms":4,"garden":true,"sold":"2023-05-06","city":"lyon","pool":true}""", 400, "pool")]
    [InlineData("/predict/houses", """{"sqft":"large","rooms":4,"garden":true,"sold":"2023-05-06","city":"lyon"}""", 400, "sqft")]
    [InlineData("/predict/houses", """{"sqft":"NaN","rooms":4,"garden":true,"sold":"2023-05-06","city":"lyon"}""", 400, "sqft")]
    [InlineData("/predict/houses", """{"sqft":1,"rooms":1e400,"garden":true,"sold":"2023-05-06","city":"lyon"}""", 400, "rooms")]
    [InlineData("/predict/houses", """[{"sqft":1,"rooms":4,"garden":true,"sold":"2023-05-06","city":"lyon"},{"sqft":1,"rooms":4,"garden":"sometimes","sold":"2023-05-06","city":"lyon"}]""", 400, "garden")]
    [InlineData("/predict/houses", "[]", 400, "body")]
    [InlineData("/predict/houses", "{\"sqft\":", 400, "body")]
    [InlineData("/predict/houses", "42", 400, "body")]
    [InlineData("/predict/nope", GoodRow, 404, "model")]
    [InlineData("/predict/houses/7", GoodRow, 404, "version")]
    [InlineData("/predict/houses/latest", GoodRow, 404, "version")]
    public async Task A_bad_request_gets_a_4xx_problem_naming_the_field(string path, string json, int status, string field)
    {
        using var response = await Post(path, json);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_unseen_category_is_predicted_with_a_warning_naming_the_field()
    {
        using var response = await Post("/predict/houses", GoodRow.Replace("lyon", "brest", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("city", body.RootElement.GetProperty("warnings")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_batch_over_the_limit_and_a_body_over_the_size_limit_are_refused_with_413()
    {
        var tooMany = "[" + string.Join(',', Enumerable.Repeat(GoodRow, 301)) + "]";
        using var batch = await Post("/predict/houses", tooMany);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, batch.StatusCode);
        Assert.Contains("\"field\":\"body\"", await batch.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var huge = "[" + string.Join(',', Enumerable.Repeat(GoodRow, 200)) + "," + new string(' ', 9 << 20) + "]";
        using var big = await Post("/predict/houses", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        // Without a declared length (chunked), the limit holds too.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/predict/houses") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge))) };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Content.Headers.ContentType = new("application/json");
        using var chunkedResponse = await Http.SendAsync(chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunkedResponse.StatusCode);
    }

    [Fact]
    public async Task Bad_requests_do_not_fail_or_hold_up_good_ones_sent_at_the_same_time()
    {
        var bad = new[] { "[]", "{\"sqft\":", "{\"sqft\":\"NaN\"}", "[" + string.Join(',', Enumerable.Repeat(GoodRow, 301)) + "]" };
        var badTasks = Enumerable.Range(0, 200).Select(async i =>
        {
            using var r = await Post(i % 5 == 0 ? "/predict/nope" : "/predict/houses", bad[i % bad.Length]);
            return (int)r.StatusCode;
        });
        var goodTasks = Enumerable.Range(0, 100).Select(async _ =>
        {
            using var r = await Post("/predict/houses", GoodRow);
            return (int)r.StatusCode;
        });
        var all = await Task.WhenAll(Task.WhenAll(badTasks), Task.WhenAll(goodTasks));
        Assert.All(all[0], s => Assert.InRange(s, 400, 499));
        Assert.All(all[1], s => Assert.Equal(200, s));
    }

    [Fact]
    public async Task Models_are_listed_with_versions_metrics_stage_and_history()
    {
        using var list = JsonDocument.Parse(await Http.GetStringAsync("/models"));
        var houses = list.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "houses");
        Assert.Equal(1, houses.GetProperty("production").GetInt32());

        using var one = JsonDocument.Parse(await Http.GetStringAsync("/models/houses"));
        var v1 = one.RootElement.GetProperty("versions")[0];
        Assert.Equal("production", v1.GetProperty("stage").GetString());
        Assert.True(v1.GetProperty("test").GetProperty("rmse").GetDouble() > 0);
        Assert.Equal(1, one.RootElement.GetProperty("history").GetArrayLength());

        using var unknown = await Http.GetAsync("/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Liveness_and_readiness_answer()
    {
        using var live = await Http.GetAsync("/health/live");
        using var ready = await Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private Task<HttpResponseMessage> Post(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
