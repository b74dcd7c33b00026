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
    public async Task Models_lists_what_is_served_as_json()
    {
        var (code, output) = await Run("models", "--url", _url);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(output).RootElement.ValueKind);
    }

    [Fact]
    public async Task Predict_and_rollback_on_an_unknown_model_exit_3_with_the_problem()
    {
        var (predict, body) = await Run("predict", "nope", "--input", """{"a":1}""", "--url", _url);
        Assert.Equal(ExitCodes.NotFound, predict);
        Assert.Contains("nope", body, StringComparison.Ordinal);

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
