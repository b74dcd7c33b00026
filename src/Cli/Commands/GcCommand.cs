using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Deploy.Registry;
using Pipeline.Orchestrator.Retention;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline gc [--dry-run] [--delete-orphans]`: the artifact lifecycle by hand (admin). The orchestrator sweeps the
/// jobs bucket (<c>POST /api/gc</c>, it knows the jobs) and Deploy checks the registry bucket against its versions
/// (<c>POST /api/registry/gc</c>, it knows the registry); the verb calls both and prints one report.
/// </summary>
public static class GcCommand
{
    public static readonly string[] Values = ["--url"];
    public static readonly string[] Flags = ["--json", "--dry-run", "--delete-orphans"];

    public const string Usage = """
        usage: pipeline gc [--dry-run] [--delete-orphans] [--url URL] [--json]

        Deletes what the retention policy lets go (Pipeline:Retention, docs/RELIABILITY.md): the round models and
        optimizer states of deployed and rejected jobs (their prepared data and best model stay, for redeploy), and
        everything of cancelled and failed jobs past their grace. Reports orphans: objects whose job is unknown and
        registry versions whose files are missing or folders no version owns. --dry-run deletes nothing and prints
        what would go, with sizes; --delete-orphans deletes orphans older than Pipeline:Retention:OrphanGrace too.
        Needs the admin role.
        """;

    public static async Task<int> RunAsync(CommandLine line, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var http = ApiHttp.Client(line, TimeSpan.FromMinutes(10));
        var query = $"?dryRun={Bool(line.Flag("--dry-run"))}&deleteOrphans={Bool(line.Flag("--delete-orphans"))}";

        // The orchestrator and Deploy may be hosted apart: a half this address does not serve (404) is skipped with a note.
        using var jobsResponse = await http.PostAsync("api/gc" + query, content: null, cancellationToken);
        if (!jobsResponse.IsSuccessStatusCode && jobsResponse.StatusCode != HttpStatusCode.NotFound)
        {
            return await ApiHttp.ProblemAsync(jobsResponse, line, error, cancellationToken);
        }

        using var registryResponse = await http.PostAsync("api/registry/gc" + query, content: null, cancellationToken);
        if (!registryResponse.IsSuccessStatusCode && registryResponse.StatusCode != HttpStatusCode.NotFound)
        {
            return await ApiHttp.ProblemAsync(registryResponse, line, error, cancellationToken);
        }

        if (!jobsResponse.IsSuccessStatusCode && !registryResponse.IsSuccessStatusCode)
        {
            return await ApiHttp.ProblemAsync(jobsResponse, line, error, cancellationToken);
        }

        var jobs = jobsResponse.IsSuccessStatusCode ? await jobsResponse.Content.ReadFromJsonAsync<ArtifactGcReport>(ApiHttp.Indented, cancellationToken) : null;
        var registry = registryResponse.IsSuccessStatusCode ? await registryResponse.Content.ReadFromJsonAsync<RegistryGcReport>(ApiHttp.Indented, cancellationToken) : null;
        if (line.Flag("--json"))
        {
            output.WriteLine(JsonSerializer.Serialize(new { jobs, registry }, ApiHttp.Indented));
            return ExitCodes.Ok;
        }

        Print(jobs, registry, line.Flag("--dry-run"), output);
        return ExitCodes.Ok;
    }

    private static void Print(ArtifactGcReport? jobs, RegistryGcReport? registry, bool dryRun, TextWriter output)
    {
        var verb = dryRun ? "would delete" : "deleted";
        if (jobs is null)
        {
            output.WriteLine("jobs: not served at this address (run `pipeline gc --url` against the orchestrator for the jobs bucket)");
        }
        else
        {
            output.WriteLine($"jobs bucket '{jobs.JobsBucket}': {verb} {jobs.DeletedObjects} objects ({Size(jobs.DeletedBytes)}); kept {jobs.KeptObjects} objects ({Size(jobs.KeptBytes)})");
            foreach (var job in jobs.Jobs)
            {
                output.WriteLine($"  {job.JobId:N} {job.State ?? "(no such job: orphan)"}");
                foreach (var reason in job.Reasons)
                {
                    output.WriteLine($"    {reason}");
                }
            }

            if (jobs.ForeignKeys.Count > 0)
            {
                output.WriteLine($"  outside any job prefix (never deleted): {string.Join(", ", jobs.ForeignKeys)}");
            }

            output.WriteLine($"orphans in the jobs bucket: {jobs.OrphanObjects} objects ({Size(jobs.OrphanBytes)})");
        }

        if (registry is null)
        {
            output.WriteLine("registry: not served at this address (run `pipeline gc --url` against the deploy host for its check)");
            return;
        }

        output.WriteLine($"registry bucket '{registry.Bucket}': {registry.Versions} versions, {registry.MissingArtifacts.Count} with missing files, {registry.Orphans.Count} orphan prefixes ({registry.OrphanObjects} objects, {Size(registry.OrphanBytes)}; {verb} {registry.DeletedObjects})");
        foreach (var m in registry.MissingArtifacts)
        {
            output.WriteLine($"  {m.Name} v{m.Version} ({m.Stage}) misses {string.Join(", ", m.Files)}: `pipeline redeploy {m.JobId:N}` stores them again");
        }

        foreach (var o in registry.Orphans)
        {
            output.WriteLine($"  {o.Prefix}: {o.Objects} objects ({Size(o.Bytes)}) no version owns{(o.Delete ? $" ({verb})" : "")}");
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Bytes for people: B, kB, MB, GB (powers of 1000, one decimal).</summary>
    internal static string Size(long bytes) => bytes switch
    {
        < 1000 => $"{bytes} B",
        < 1_000_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        < 1_000_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
    };
}
