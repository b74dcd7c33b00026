using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pipeline.Cli.Demo;

namespace Pipeline.Security.Tests.Inputs;

/// <summary>
/// Issue #17, serving probes: values that used to end in a 500 with a stack trace are answered 4xx. A small house
/// price model (with a numeric and a date column) is trained and deployed once for them.
/// </summary>
[Collection(InputsCollection.Name)]
public sealed class PredictProbeTests(InputsSystem system) : IAsyncLifetime
{
    private const string Model = "probe-houses";

    private static readonly Dictionary<string, object?> Row = new()
    {
        ["area_m2"] = 95.0,
        ["rooms"] = 3,
        ["age_years"] = 20.0,
        ["distance_km"] = 4.5,
        ["quality"] = 6,
        ["garage"] = "yes",
        ["neighbourhood"] = "centre",
        ["sold_on"] = "2020-05-01",
    };

    public async Task InitializeAsync()
    {
        using var models = await system.Http.GetAsync($"/models/{Model}");
        if (models.StatusCode == HttpStatusCode.OK)
        {
            return;
        }

        var csv = Path.Combine(system.Folder, "probe-houses.csv");
        HousePriceCsv.Write(csv, 800, seed: 3);
        var job = await system.SubmitJobAsync("probe-houses.csv", new ByteArrayContent(await File.ReadAllBytesAsync(csv)), $"&target=price&model={Model}&shards=1&rounds=2&force-deploy=true");
        var detail = await system.WaitUntilFinishedAsync(job, TimeSpan.FromMinutes(4));
        Assert.Equal("Deployed", detail.GetProperty("summary").GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_model_answers_an_ordinary_row()
    {
        using var response = await PredictAsync(Row);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(1e308)]
    [InlineData(-1e308)]
    [InlineData(3e38)]
    public async Task A_huge_number_that_overflows_after_scaling_is_a_422_not_a_500(double area)
    {
        using var response = await PredictAsync(With("area_m2", area));
        Assert.True(response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            await InputsSystem.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "body");
        }
    }

    [Theory]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    [InlineData("9999-12-31T23:59:59")]
    [InlineData("0001-01-01T00:00:00+14:00")]
    public async Task An_extreme_date_is_answered_without_a_500(string date)
    {
        using var response = await PredictAsync(With("sold_on", date));
        var status = (int)response.StatusCode;
        Assert.True(status is 200 or 400 or 422, $"{status}: {await response.Content.ReadAsStringAsync()}");
        if (status == 400)
        {
            await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "sold_on");
        }
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_a_400()
    {
        var json = Encoding.UTF8.GetBytes("""{"area_m2": 95, "neighbourhood": "centre_""");
        byte[] bad = [.. json, 0xC3, 0x28, 0xFF, .. "\"}"u8];
        using var content = new ByteArrayContent(bad);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await system.Http.PostAsync($"/predict/{Model}", content);
        await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "body");
    }

    private static Dictionary<string, object?> With(string column, object? value) => new(Row) { [column] = value };

    private Task<HttpResponseMessage> PredictAsync(object row) => system.PostJsonAsync($"/predict/{Model}", row);

    public Task DisposeAsync() => Task.CompletedTask;
}
