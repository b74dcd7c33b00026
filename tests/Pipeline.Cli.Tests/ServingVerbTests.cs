using System.Text.Json;
using Pipeline.Cli;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>`models`, `predict` and `rollback` against a real serving API hosted in-process (embedded mode).</summary>
public sealed class ServingVerbTests : IAsyncLifetime
{
    private EmbeddedSystem? _system;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _system = await EmbeddedSystem.StartAsync(["deploy"]);
        _url = _system.Url;
    }

    [Fact]
    public async Task The_registry_is_also_under_api_for_the_dashboard()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_url) };
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await http.GetStringAsync("/api/models")).RootElement.ValueKind);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/api/models/nope")).StatusCode);
    }

    [Fact]
    public async Task Models_lists_what_is_served_as_text_and_as_json_with_the_flag()
    {
        var (code, output) = await Run("models", "--url", _url);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.StartsWith("no models yet", output, StringComparison.Ordinal);

        var (json, array) = await Run("models", "--json", "--url", _url);
        Assert.Equal(ExitCodes.Ok, json);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(array).RootElement.ValueKind);
    }

    [Fact]
    public async Task Predict_and_rollback_on_an_unknown_model_exit_3_with_the_problem_as_one_line()
    {
        var error = new StringWriter();
        var predict = await PipelineCommand.RunAsync(["predict", "nope", "--input", """{"a":1}""", "--url", _url], new StringWriter(), error);
        Assert.Equal(ExitCodes.NotFound, predict);
        Assert.Equal("pipeline predict: Unknown model: no production version of model 'nope' (GET /models lists them)", error.ToString().Trim());

        var (rollback, _) = await Run("rollback", "nope", "--to", "1", "--url", _url);
        Assert.Equal(ExitCodes.NotFound, rollback);
    }

    [Fact]
    public async Task Bad_input_json_is_a_usage_error_and_no_server_is_unavailable()
    {
        Assert.Equal(ExitCodes.Usage, (await Run("predict", "m", "--input", "{oops", "--url", _url)).Code);
        Assert.Equal(ExitCodes.Unavailable, (await Run("models", "--url", "http://127.0.0.1:1")).Code);
    }

    private static async Task<(int Code, string Output)> Run(params string[] args)
    {
        var output = new StringWriter();
        var code = await PipelineCommand.RunAsync(args, output, new StringWriter());
        return (code, output.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}
