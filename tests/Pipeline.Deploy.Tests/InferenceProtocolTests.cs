using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Deploy.Tests;

/// <summary>
/// Issue #20, item 2: the Open Inference Protocol (KServe v2) REST endpoints, with requests shaped as the protocol's
/// own examples (id, inputs of name/shape/datatype/data, outputs by name), answering exactly what <c>/predict</c>
/// answers for the same rows, and refusing with the protocol's <c>{"error"}</c> body.
/// </summary>
public sealed class InferenceProtocolTests(ServingHost host) : IClassFixture<ServingHost>
{
    [Fact]
    public async Task Health_and_server_metadata_answer_as_the_protocol_says()
    {
        using var http = host.Client();
        using var live = await GetJsonAsync(http, "/v2/health/live", HttpStatusCode.OK);
        Assert.True(live.RootElement.GetProperty("live").GetBoolean());
        using var ready = await GetJsonAsync(http, "/v2/health/ready", HttpStatusCode.OK);
        Assert.True(ready.RootElement.GetProperty("ready").GetBoolean());
        using var server = await GetJsonAsync(http, "/v2", HttpStatusCode.OK);
        Assert.Equal("pipeline", server.RootElement.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Array, server.RootElement.GetProperty("extensions").ValueKind);
    }

    [Fact]
    public async Task Model_metadata_lists_one_typed_input_per_feature_column_and_the_outputs()
    {
        using var http = host.Client();
        foreach (var path in new[] { "/v2/models/houses", "/v2/models/houses/versions/1" })
        {
            using var metadata = await GetJsonAsync(http, path, HttpStatusCode.OK);
            var root = metadata.RootElement;
            Assert.Equal("houses", root.GetProperty("name").GetString());
            Assert.Equal(["1"], root.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal("pipeline_pnnm", root.GetProperty("platform").GetString());
            var inputs = root.GetProperty("inputs").EnumerateArray().Select(i => (i.GetProperty("name").GetString(), i.GetProperty("datatype").GetString(), i.GetProperty("shape").GetRawText())).ToList();
            Assert.Equal(
                [("sqft", "FP64", "[-1,1]"), ("rooms", "FP64", "[-1,1]"), ("garden", "BOOL", "[-1,1]"), ("sold", "BYTES", "[-1,1]"), ("city", "BYTES", "[-1,1]")],
                inputs);
            var output = Assert.Single(root.GetProperty("outputs").EnumerateArray());
            Assert.Equal(("predict", "FP32", "[-1,1]"), (output.GetProperty("name").GetString(), output.GetProperty("datatype").GetString(), output.GetProperty("shape").GetRawText()));
        }

        using var classifier = await GetJsonAsync(http, "/v2/models/tiers", HttpStatusCode.OK);
        var outputs = classifier.RootElement.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(["predict", "predict_proba"], outputs.Select(o => o.GetProperty("name").GetString()));
        Assert.Equal("BYTES", outputs[0].GetProperty("datatype").GetString());
        Assert.Equal("[-1,3]", outputs[1].GetProperty("shape").GetRawText());
        Assert.Equal(["cheap", "mid", "dear"], outputs[1].GetProperty("parameters").GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Model_ready_is_200_for_a_served_version_and_404_otherwise()
    {
        using var http = host.Client();
        using var ready = await GetJsonAsync(http, "/v2/models/houses/ready", HttpStatusCode.OK);
        Assert.True(ready.RootElement.GetProperty("ready").GetBoolean());
        using (await GetJsonAsync(http, "/v2/models/houses/versions/1/ready", HttpStatusCode.OK))
        {
        }

        using var unknown = await GetJsonAsync(http, "/v2/models/no-such-model/ready", HttpStatusCode.NotFound);
        Assert.Contains("no-such-model", OnlyError(unknown), StringComparison.Ordinal);
        using var noVersion = await GetJsonAsync(http, "/v2/models/houses/versions/7", HttpStatusCode.NotFound);
        Assert.Contains("no version 7", OnlyError(noVersion), StringComparison.Ordinal);
    }

    /// <summary>The protocol's own example request, with this model's columns: id "42", inputs flat and nested, outputs by name.</summary>
    [Fact]
    public async Task A_request_shaped_as_the_protocols_example_gets_the_predict_tensor_of_the_same_rows_as_predict()
    {
        const string request = """
            {
              "id" : "42",
              "inputs" : [
                { "name" : "sqft", "shape" : [ 2, 1 ], "datatype" : "FP32", "data" : [ [ 1500.0 ], [ 2100.5 ] ] },
                { "name" : "rooms", "shape" : [ 2 ], "datatype" : "INT64", "data" : [ 3, 4 ] },
                { "name" : "garden", "shape" : [ 2 ], "datatype" : "BOOL", "data" : [ true, false ] },
                { "name" : "sold", "shape" : [ 2 ], "datatype" : "BYTES", "data" : [ "2023-05-01", "2022-11-30" ] },
                { "name" : "city", "shape" : [ 2, 1 ], "datatype" : "BYTES", "data" : [ "paris", "lyon" ] }
              ],
              "outputs" : [
                { "name" : "predict" }
              ]
            }
            """;
        const string rows = """
            [{"sqft": 1500.0, "rooms": 3, "garden": true, "sold": "2023-05-01", "city": "paris"},
             {"sqft": 2100.5, "rooms": 4, "garden": false, "sold": "2022-11-30", "city": "lyon"}]
            """;
        using var http = host.Client();
        using var response = await PostAsync(http, "/v2/models/houses/infer", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var answer = JsonDocument.Parse(body);
        var root = answer.RootElement;
        Assert.Equal("houses", root.GetProperty("model_name").GetString());
        Assert.Equal("1", root.GetProperty("model_version").GetString());
        Assert.Equal("42", root.GetProperty("id").GetString());
        var output = Assert.Single(root.GetProperty("outputs").EnumerateArray());
        Assert.Equal("predict", output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal("[2,1]", output.GetProperty("shape").GetRawText());
        Assert.Equal(await PredictValuesAsync(http, "houses", rows), output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Regression_answers_equal_predict_for_the_same_rows()
    {
        var rows = host.Houses.TestRawRows.Take(25).ToList();
        using var http = host.Client();
        using var response = await PostAsync(http, "/v2/models/houses/versions/1/infer", Tensors(rows, id: "batch-7", parameters: new JsonObject { ["content_type"] = "pd" }));
        using var answer = await JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("batch-7", answer.RootElement.GetProperty("id").GetString());
        var output = Assert.Single(answer.RootElement.GetProperty("outputs").EnumerateArray());
        Assert.Equal("[25,1]", output.GetProperty("shape").GetRawText());
        Assert.Equal(await PredictValuesAsync(http, "houses", JsonSerializer.Serialize(rows)), output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Classification_answers_the_label_and_the_probabilities_predict_gives()
    {
        var rows = host.Tiers.TestRawRows.Take(25).ToList();
        using var http = host.Client();
        using var expected = await JsonAsync(await PostAsync(http, "/predict/tiers", JsonSerializer.Serialize(rows)), HttpStatusCode.OK);
        var predictions = expected.RootElement.GetProperty("predictions").EnumerateArray().ToList();

        using var answer = await JsonAsync(await PostAsync(http, "/v2/models/tiers/infer", Tensors(rows)), HttpStatusCode.OK);
        var outputs = answer.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal("BYTES", outputs["predict"].GetProperty("datatype").GetString());
        Assert.Equal("[25,1]", outputs["predict"].GetProperty("shape").GetRawText());
        Assert.Equal(predictions.Select(p => p.GetProperty("label").GetString()), outputs["predict"].GetProperty("data").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("FP32", outputs["predict_proba"].GetProperty("datatype").GetString());
        Assert.Equal("[25,3]", outputs["predict_proba"].GetProperty("shape").GetRawText());
        string[] classes = ["cheap", "mid", "dear"];
        var expectedProbabilities = predictions.SelectMany(p => classes.Select(c => p.GetProperty("probabilities").GetProperty(c).GetSingle()));
        Assert.Equal(expectedProbabilities, outputs["predict_proba"].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));

        // One output asked for: only that one comes back.
        using var only = await JsonAsync(await PostAsync(http, "/v2/models/tiers/infer", Tensors(rows, outputs: ["predict_proba"])), HttpStatusCode.OK);
        Assert.Equal(["predict_proba"], only.RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Nulls_are_imputed_unseen_categories_warned_and_the_target_ignored_as_predict_does()
    {
        var row = new Dictionary<string, object?> { ["sqft"] = null, ["rooms"] = 3, ["garden"] = true, ["sold"] = "2023-01-02", ["city"] = "brest", ["price"] = 1 };
        using var http = host.Client();
        using var answer = await JsonAsync(await PostAsync(http, "/v2/models/houses/infer", Tensors([row])), HttpStatusCode.OK);
        var parameters = answer.RootElement.GetProperty("parameters");
        Assert.Contains("brest", parameters.GetProperty("warnings").GetString(), StringComparison.Ordinal);
        Assert.Equal("price", parameters.GetProperty("ignored").GetString());
        var value = Assert.Single(answer.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray()).GetSingle();
        Assert.Equal(await PredictValuesAsync(http, "houses", JsonSerializer.Serialize(new[] { row })), [value]);
    }

    public static TheoryData<string, string, HttpStatusCode, string> Refusals => new()
    {
        { "/v2/models/no-such-model/infer", Good, HttpStatusCode.NotFound, "no production version of model 'no-such-model'" },
        { "/v2/models/houses/versions/9/infer", Good, HttpStatusCode.NotFound, "model 'houses' has no version 9" },
        { "/v2/models/houses/versions/one/infer", Good, HttpStatusCode.NotFound, "'one' is not a version number" },
        { "/v2/models/houses/infer", "{\"inputs\": [", HttpStatusCode.BadRequest, "line 1" },
        { "/v2/models/houses/infer", "[]", HttpStatusCode.BadRequest, "inference request object" },
        { "/v2/models/houses/infer", "{\"inputs\": []}", HttpStatusCode.BadRequest, "'inputs' must be a non-empty array" },
        { "/v2/models/houses/infer", Good.Replace("\"name\": \"sqft\", \"shape\": [1], \"datatype\": \"FP64\"", "\"name\": \"sqft\", \"shape\": [1], \"datatype\": \"BYTES\"", StringComparison.Ordinal).Replace("[1500]", "[\"1500\"]", StringComparison.Ordinal), HttpStatusCode.BadRequest, "input 'sqft' is BYTES, but the model reads 'sqft' as numeric: send FP32, FP64" },
        { "/v2/models/houses/infer", Good.Replace("\"datatype\": \"FP64\"", "\"datatype\": \"FLOAT\"", StringComparison.Ordinal), HttpStatusCode.BadRequest, "input 'sqft': 'datatype' must be one of BOOL" },
        { "/v2/models/houses/infer", Good.Replace("[1500]", "[1500, 1600]", StringComparison.Ordinal), HttpStatusCode.BadRequest, "'data' holds more values than its shape (1)" },
        { "/v2/models/houses/infer", Good.Replace("\"shape\": [1], \"datatype\": \"FP64\"", "\"shape\": [1, 2], \"datatype\": \"FP64\"", StringComparison.Ordinal), HttpStatusCode.BadRequest, "'shape' must be [N] or [N, 1]" },
        { "/v2/models/houses/infer", Good.Replace("\"shape\": [1], \"datatype\": \"FP64\", \"data\": [1500]", "\"shape\": [2], \"datatype\": \"FP64\", \"data\": [1500, 1600]", StringComparison.Ordinal), HttpStatusCode.BadRequest, "has 1 rows but 'sqft' has 2" },
        { "/v2/models/houses/infer", Good.Replace("\"datatype\": \"INT64\", \"data\": [3]", "\"datatype\": \"INT64\", \"data\": [3.5]", StringComparison.Ordinal), HttpStatusCode.BadRequest, "input 'rooms', row 0: 3.5 is not a INT64 value" },
        { "/v2/models/houses/infer", Good.Replace(", {\"name\": \"city\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"nice\"]}", string.Empty, StringComparison.Ordinal), HttpStatusCode.BadRequest, "missing feature 'city'" },
        { "/v2/models/houses/infer", Good.Replace("\"name\": \"city\"", "\"name\": \"town\"", StringComparison.Ordinal), HttpStatusCode.BadRequest, "unknown feature 'town'" },
        { "/v2/models/houses/infer", Good.Replace("\"name\": \"rooms\"", "\"name\": \"sqft\"", StringComparison.Ordinal), HttpStatusCode.BadRequest, "input 'sqft' is given twice" },
        { "/v2/models/houses/infer", Good.Replace("\"outputs\": [{\"name\": \"predict\"}]", "\"outputs\": [{\"name\": \"output0\"}]", StringComparison.Ordinal), HttpStatusCode.BadRequest, "unknown output 'output0'; this model's outputs are predict" },
        { "/v2/models/houses/infer", Good.Replace("\"outputs\": [{\"name\": \"predict\"}]", "\"outputs\": [{\"name\": \"predict\", \"parameters\": {\"binary_data\": true}}]", StringComparison.Ordinal), HttpStatusCode.BadRequest, "binary tensor data" },
        { "/v2/models/houses/infer", Good.Replace("\"data\": [1500]", "\"data\": [1e308]", StringComparison.Ordinal), HttpStatusCode.BadRequest, "not a finite number" },
    };

    private const string Good = """
        {"id": "r1", "inputs": [{"name": "sqft", "shape": [1], "datatype": "FP64", "data": [1500]}, {"name": "rooms", "shape": [1], "datatype": "INT64", "data": [3]}, {"name": "garden", "shape": [1], "datatype": "BOOL", "data": [true]}, {"name": "sold", "shape": [1], "datatype": "BYTES", "data": ["2023-01-02"]}, {"name": "city", "shape": [1], "datatype": "BYTES", "data": ["nice"]}], "outputs": [{"name": "predict"}]}
        """;

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusals_are_the_protocols_error_object_naming_the_input(string path, string body, HttpStatusCode status, string message)
    {
        using var http = host.Client();
        using var response = await PostAsync(http, path, body);
        using var answer = await JsonAsync(response, status);
        Assert.Contains(message, OnlyError(answer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_unmodified_good_request_is_answered()
    {
        using var http = host.Client();
        using var answer = await JsonAsync(await PostAsync(http, "/v2/models/houses/infer", Good), HttpStatusCode.OK);
        Assert.Equal("r1", answer.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Binary_tensor_requests_and_batches_over_the_limit_are_refused()
    {
        using var http = host.Client();
        using var binary = new HttpRequestMessage(HttpMethod.Post, "/v2/models/houses/infer") { Content = new StringContent(Good, Encoding.UTF8, "application/json") };
        binary.Headers.Add("Inference-Header-Content-Length", "10");
        using var refused = await JsonAsync(await http.SendAsync(binary), HttpStatusCode.BadRequest);
        Assert.Contains("binary tensor data", OnlyError(refused), StringComparison.Ordinal);

        var tooMany = Good.Replace("\"shape\": [1], \"datatype\": \"FP64\"", "\"shape\": [10001], \"datatype\": \"FP64\"", StringComparison.Ordinal);
        using var large = await JsonAsync(await PostAsync(http, "/v2/models/houses/infer", tooMany), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("over the limit of 10000", OnlyError(large), StringComparison.Ordinal);
    }

    /// <summary>One tensor per column, alternating flat [N] and nested [N, 1] data, typed as the metadata says.</summary>
    private static string Tensors(IReadOnlyList<Dictionary<string, object?>> rows, string? id = null, JsonObject? parameters = null, string[]? outputs = null)
    {
        var request = new JsonObject();
        if (id is not null)
        {
            request["id"] = id;
        }

        if (parameters is not null)
        {
            request["parameters"] = parameters;
        }

        var inputs = new JsonArray();
        var nested = false;
        foreach (var column in rows[0].Keys)
        {
            var values = rows.Select(r => r[column]).ToList();
            var datatype = values.FirstOrDefault(v => v is not null) switch
            {
                bool => "BOOL",
                string => "BYTES",
                _ => "FP64",
            };
            var data = new JsonArray(values.Select(v => nested ? new JsonArray([JsonSerializer.SerializeToNode(v)]) : JsonSerializer.SerializeToNode(v)).ToArray());
            inputs.Add(new JsonObject
            {
                ["name"] = column,
                ["shape"] = nested ? new JsonArray(rows.Count, 1) : new JsonArray(rows.Count),
                ["datatype"] = datatype,
                ["data"] = data,
            });
            nested = !nested;
        }

        request["inputs"] = inputs;
        if (outputs is not null)
        {
            request["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)new JsonObject { ["name"] = o }).ToArray());
        }

        return request.ToJsonString();
    }

    private static async Task<List<float>> PredictValuesAsync(HttpClient http, string model, string rows)
    {
        using var answer = await JsonAsync(await PostAsync(http, $"/predict/{model}", rows), HttpStatusCode.OK);
        return answer.RootElement.GetProperty("predictions").EnumerateArray().Select(p => (float)p.GetProperty("value").GetDouble()).ToList();
    }

    private static string OnlyError(JsonDocument answer)
    {
        var property = Assert.Single(answer.RootElement.EnumerateObject());
        Assert.Equal("error", property.Name);
        return property.Value.GetString()!;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string json) =>
        http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string path, HttpStatusCode status) =>
        await JsonAsync(await http.GetAsync(new Uri(path, UriKind.Relative)), status);

    private static async Task<JsonDocument> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body);
        }
    }
}
