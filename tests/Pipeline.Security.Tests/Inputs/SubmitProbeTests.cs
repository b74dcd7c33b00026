using System.Net;
using System.Text;

namespace Pipeline.Security.Tests.Inputs;

/// <summary>
/// Issue #17, submit probes: names, targets and files that used to end in a 500 (or be stored as given) are refused
/// with a 4xx problem that names the field, before anything is stored.
/// </summary>
[Collection(InputsCollection.Name)]
public sealed class SubmitProbeTests(InputsSystem system)
{
    private static StringContent Csv() => new("a,b,y\n1,2,3\n4,5,6\n");

    [Theory]
    [InlineData("préis")]
    [InlineData("price\u202Egpj.exe")]
    [InlineData("pri\nce")]
    public async Task A_target_that_is_not_printable_ascii_is_a_400_naming_the_target(string target)
    {
        using var response = await system.SubmitAsync("target-chars.csv", Csv(), "&target=" + Uri.EscapeDataString(target));
        await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "target");
    }

    [Fact]
    public async Task A_5000_character_target_is_a_400_naming_the_target()
    {
        using var response = await system.SubmitAsync("target-long.csv", Csv(), "&target=" + new string('t', 5000));
        var body = await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "target");
        Assert.True(body.Length < 2000, $"the answer echoes the whole value ({body.Length} characters)");
    }

    [Theory]
    [InlineData("modèle")]
    [InlineData("m\u202Eodel")]
    public async Task A_model_name_that_is_not_ascii_is_a_400_naming_the_model(string model)
    {
        using var response = await system.SubmitAsync("model-chars.csv", Csv(), "&model=" + Uri.EscapeDataString(model));
        await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "model");
    }

    [Fact]
    public async Task A_5000_character_model_name_is_a_400_with_a_short_answer()
    {
        using var response = await system.SubmitAsync("model-long.csv", Csv(), "&model=" + new string('m', 5000));
        var body = await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "model");
        Assert.True(body.Length < 2000, $"the answer echoes the whole value ({body.Length} characters)");
    }

    [Fact]
    public async Task A_file_name_segment_over_255_bytes_is_a_400_naming_the_name()
    {
        using var response = await system.SubmitAsync("data/" + new string('é', 130) + ".csv", Csv());
        await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "name");
    }

    [Theory]
    [InlineData("invoice\u202Evsc.exe")]
    [InlineData("a\u2066b.csv")]
    [InlineData("line\nbreak.csv")]
    [InlineData("c1\u0085control.csv")]
    public async Task A_file_name_with_control_or_bidi_characters_is_a_400_naming_the_name(string name)
    {
        using var response = await system.SubmitAsync(name, Csv());
        await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "name");
    }

    [Fact]
    public async Task The_quarantine_cannot_be_written_through_submit()
    {
        using var upload = await system.SubmitAsync("rejected/bad.csv", Csv());
        await InputsSystem.AssertProblemAsync(upload, HttpStatusCode.Forbidden, "name");

        using var existing = await system.PostJsonAsync("/api/jobs", new { key = "rejected/bad.csv" });
        await InputsSystem.AssertProblemAsync(existing, HttpStatusCode.Forbidden, "name");
    }

    [Fact]
    public async Task A_changed_file_under_the_same_name_is_a_new_job_and_the_same_bytes_the_same_job()
    {
        // A submitter fixing their data resubmits under the same name: a new object version, so a new job.
        const string name = "resubmitted.csv";
        var first = await system.SubmitJobAsync(name, new StringContent("a,b,y\n1,2,3\n4,5,6\n7,8,9\n"));
        var changed = await system.SubmitJobAsync(name, new StringContent("a,b,y\n0,0,0\n0,0,1\n"));
        Assert.NotEqual(first, changed);

        var again = await system.SubmitJobAsync(name, new StringContent("a,b,y\n0,0,0\n0,0,1\n"));
        Assert.Equal(changed, again);
    }

    [Fact]
    public async Task A_network_over_the_parameter_limit_is_a_400_naming_the_setting()
    {
        using var response = await system.SubmitAsync("huge-model.csv", Csv(), "&hidden-layers=8192,8192,8192");
        var body = await InputsSystem.AssertProblemAsync(response, HttpStatusCode.BadRequest, "hidden-layers");
        Assert.Contains("Pipeline:Ingest:MaxParameters", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_larger_than_the_server_default_body_limit_is_accepted_up_to_MaxFileBytes()
    {
        // Kestrel's own default refuses bodies over ~28.6 MB with an empty 413; the submit endpoint sets its own
        // limit. The file has a single column, so the job ends at validation instead of training on 40 MB.
        var file = new MemoryStream();
        file.Write("x\n"u8);
        var row = Encoding.ASCII.GetBytes(new string('1', 1000) + "\n");
        while (file.Length < 40L << 20)
        {
            file.Write(row);
        }

        file.Position = 0;
        using var content = new StreamContent(file);
        var job = await system.SubmitJobAsync("large-upload.csv", content);
        var detail = await system.WaitUntilFinishedAsync(job, TimeSpan.FromMinutes(2));
        Assert.Contains("single column", InputsSystem.FailureOf(detail), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_reasons_and_requestedBy_are_bounded_and_printable()
    {
        // Checked before the job is looked up: a bad reason is a 400 whatever the job.
        var job = Guid.NewGuid();
        using var tooLong = await system.Http.PostAsync($"/api/jobs/{job}/cancel?reason={new string('r', 5000)}", null);
        await InputsSystem.AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, "reason");

        using var forged = await system.Http.PostAsync($"/api/jobs/{job}/cancel?reason={Uri.EscapeDataString("ok\nERROR forged")}", null);
        await InputsSystem.AssertProblemAsync(forged, HttpStatusCode.BadRequest, "reason");

        using var rollback = await system.PostJsonAsync("/models/any/rollback", new { toVersion = 1, requestedBy = new string('w', 2 << 20) });
        await InputsSystem.AssertProblemAsync(rollback, HttpStatusCode.BadRequest, "requestedBy");
    }
}
