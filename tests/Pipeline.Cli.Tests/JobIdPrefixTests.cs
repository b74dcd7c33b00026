using Pipeline.Contracts.Api;
using Pipeline.Cli.Commands;
using Pipeline.Orchestrator.Api;

namespace Pipeline.Cli.Tests;

/// <summary>The matching behind short job ids; the CLI's answers to them are in <see cref="ReadableOutputTests"/>.</summary>
public class JobIdPrefixTests
{
    private static readonly JobSummary[] Jobs =
    [
        Job("3f2a9c10-0000-4000-8000-000000000001"),
        Job("3f2a9c11-0000-4000-8000-000000000002"),
        Job("a0000000-0000-4000-8000-000000000003"),
    ];

    [Theory]
    [InlineData("3f2a9c10", 1)]
    [InlineData("3F2A9C1", 2)] // as typed: case does not matter
    [InlineData("3f2a9c10-0000", 1)]
    [InlineData("b", 0)]
    public void A_prefix_matches_the_ids_that_start_with_it(string typed, int matches) =>
        Assert.Equal(matches, JobIdPrefix.Matching(Jobs, JobIdPrefix.Normalise(typed)).Count);

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("3f2a 9c")]
    public void Text_that_cannot_start_an_id_is_a_usage_error(string typed) =>
        Assert.Throws<UsageException>(() => JobIdPrefix.Normalise(typed));

    [Fact]
    public async Task An_ambiguous_prefix_names_the_candidates_and_exits_64_before_any_request_for_a_whole_id()
    {
        // A whole id needs no lookup: it resolves against an address where nothing listens.
        using var nowhere = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:1/") };
        var whole = Guid.NewGuid();
        Assert.Equal(whole, await JobIdPrefix.ResolveAsync(nowhere, Line(whole.ToString()), CancellationToken.None));

        var candidates = JobIdPrefix.Matching(Jobs, "3f2a9c1");
        Assert.Equal(["3f2a9c10-0000-4000-8000-000000000001", "3f2a9c11-0000-4000-8000-000000000002"], candidates.Select(j => j.JobId.ToString()));
    }

    private static CommandLine Line(params string[] args) => CommandLine.Parse("status", args, JobCommands.StatusValues, JobCommands.StatusFlags);

    private static JobSummary Job(string id) => new()
    {
        JobId = Guid.Parse(id),
        State = "Deployed",
        Stage = "deploy",
        Finished = true,
        ModelName = "m",
        Source = "s",
        Round = 1,
        Rounds = 1,
        Progress = 1,
        SubmittedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };
}
