using System.Text.Json;
using Pipeline.Cli.Demo;
using Pipeline.Testing.Embedded;

namespace Pipeline.Cli.Tests;

/// <summary>
/// `pipeline retrain` against every service hosted in one process: a finished job's object trained again as a new
/// job, with its settings and the ones changed on top; submitting the same file again with another spec is a new job
/// too, and with the same spec the same job.
/// </summary>
public sealed class RetrainVerbTests : IAsyncLifetime
{
    private EmbeddedSystem? _system;

    private EmbeddedSystem System => _system!;

    public async Task InitializeAsync() => _system = await EmbeddedSystem.StartAsync();

    public async Task DisposeAsync() => await System.DisposeAsync();

    [Fact]
    public async Task A_retrain_is_a_new_job_on_the_same_object_with_the_old_settings_and_the_new_ones_on_top()
    {
        var csv = Path.Combine(System.Folder, "lofts.csv");
        HousePriceCsv.Write(csv, 800, seed: 5);
        var first = await Started("submit", csv, "--target", "price", "--rounds", "3", "--watch", "--json");
        var again = await Started("submit", csv, "--target", "price", "--rounds", "3", "--json");
        Assert.Equal(first, again);

        var retrained = await Started("retrain", first.ToString("N")[..8], "--set", "seed=7", "--watch", "--json");
        Assert.NotEqual(first, retrained);
        using var http = new HttpClient { BaseAddress = new Uri(System.Url) };
        using var old = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{first}"));
        using var job = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{retrained}"));
        var spec = job.RootElement.GetProperty("spec");
        Assert.Equal(first, spec.GetProperty("retrainOf").GetGuid());
        Assert.Equal(7, spec.GetProperty("training").GetProperty("seed").GetInt32());
        Assert.Equal(3, spec.GetProperty("training").GetProperty("rounds").GetInt32()); // given by the old job: kept
        Assert.Equal("price", spec.GetProperty("target").GetString());
        Assert.Equal(old.RootElement.GetProperty("summary").GetProperty("source").GetString(), job.RootElement.GetProperty("summary").GetProperty("source").GetString());

        // A setting out of its bounds is refused before anything starts; an unknown job is not found.
        var (refused, refusedErr) = await Failed("retrain", first.ToString(), "--set", "rounds=100000");
        Assert.Equal(ExitCodes.Failed, refused);
        Assert.Contains("rounds", refusedErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await Failed("retrain", Guid.NewGuid().ToString())).Code);

        // Another spec on the same file is another job.
        var otherModel = await Started("submit", csv, "--target", "price", "--rounds", "3", "--model", "lofts-b", "--json");
        Assert.NotEqual(first, otherModel);
    }

    private async Task<(int Code, string Err)> Failed(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommand.RunAsync([.. args, "--url", System.Url], output, error);
        return (code, error.ToString());
    }

    /// <summary>Runs a verb that starts a job and returns its id (from the final job view with --watch, else the answer).</summary>
    private async Task<Guid> Started(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommand.RunAsync([.. args, "--url", System.Url], output, error);
        Assert.True(code is ExitCodes.Ok or ExitCodes.Failed, $"{string.Join(' ', args)}: exit {code}: {error}");
        var root = JsonDocument.Parse(output.ToString()).RootElement;
        return (root.TryGetProperty("summary", out var summary) ? summary : root).GetProperty("jobId").GetGuid();
    }
}
