using System.Net.Http.Json;
using Pipeline.Orchestrator.Api;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Commands;

/// <summary>`pipeline redeploy JOB [--force]`: deploys a finished job's stored best model again (admin), through the API.</summary>
public static class RedeployCommand
{
    public static readonly string[] Values = ["--url"];
    public static readonly string[] Flags = ["--json", "--force"];

    public const string Usage = """
        usage: pipeline redeploy JOB [--force] [--url URL] [--json]

        Deploys a finished job's best model again, without retraining: after a deployment that failed (store or
        database down), or to store a version's lost artifacts again. The job goes back to Deploying and ends with
        the gate's decision. --force deploys a model the gate found not worth serving. Needs the admin role.
        """;

    public static async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var http = ApiHttp.Client(line);
        var id = await JobIdPrefix.ResolveAsync(http, line, cancellationToken);
        using var response = await http.PostAsJsonAsync($"api/jobs/{id}/redeploy", new RedeployRequest(line.Flag("--force")), cancellationToken);
        if (line.Flag("--json"))
        {
            return await ApiHttp.PrintAsync(response, line, output, error, cancellationToken);
        }

        if (!response.IsSuccessStatusCode)
        {
            return await ApiHttp.ProblemAsync(response, line, error, cancellationToken);
        }

        var accepted = await response.Content.ReadFromJsonAsync<RedeployAccepted>(cancellationToken);
        output.WriteLine($"job {id}: redeploying model {accepted?.ModelName}{(line.Flag("--force") ? " (forced)" : "")}; `pipeline watch {id}` follows it");
        return ExitCodes.Ok;
    }
}
