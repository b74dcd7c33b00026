using System.Net.Http.Json;
using System.Text.Json;
using Pipeline.Orchestrator.Api;
using Pipeline.Contracts.Api;

namespace Pipeline.Cli.Commands;

/// <summary>
/// The JOB argument of `status`, `watch` and `cancel`: a whole id, or any unique prefix of one as git takes commits
/// (the dashboard shows 8 characters). A prefix is looked up among the newest jobs of <c>GET /api/jobs</c>.
/// </summary>
internal static class JobIdPrefix
{
    /// <summary>How many of the newest jobs a prefix is matched against: the most the list API answers.</summary>
    public const int Searched = 1000;

    /// <summary>
    /// The job the single positional argument names. A whole id is taken as it is (a just-submitted job may not be
    /// listed yet); a prefix that matches no job is exit code 3, one that matches several is 64 with the candidates.
    /// </summary>
    public static async Task<Guid> ResolveAsync(HttpClient http, CommandLine line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(line);
        if (line.Positionals.Count != 1)
        {
            throw new UsageException("give exactly one JOB id (or a unique prefix of one).");
        }

        var text = line.Positionals[0];
        if (Guid.TryParse(text, out var whole))
        {
            return whole;
        }

        var prefix = Normalise(text);
        using var response = await http.GetAsync($"api/jobs?limit={Searched}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CommandFailedException($"cannot look up job ids: {await ApiHttp.ReasonAsync(response, cancellationToken)}", ApiHttp.ExitCodeOf(response));
        }

        var jobs = await response.Content.ReadFromJsonAsync<List<JobSummary>>(JsonSerializerOptions.Web, cancellationToken) ?? [];
        var matches = Matching(jobs, prefix);
        return matches.Count switch
        {
            1 => matches[0].JobId,
            0 => throw new CommandFailedException($"no job id starts with '{text}' (among the newest {Searched} jobs).", ExitCodes.NotFound),
            _ => throw new CommandFailedException(
                $"job id prefix '{text}' is ambiguous; it starts {matches.Count} jobs:\n"
                + string.Join('\n', matches.Select(j => $"  {j.JobId}  {j.State,-13} {j.ModelName}")),
                ExitCodes.Usage),
        };
    }

    /// <summary>The jobs whose id (lower-case, with hyphens, as printed) starts with <paramref name="prefix"/>.</summary>
    public static List<JobSummary> Matching(IEnumerable<JobSummary> jobs, string prefix) =>
        [.. jobs.Where(j => j.JobId.ToString("D").StartsWith(prefix, StringComparison.Ordinal))];

    /// <summary>Lower-case hex digits and hyphens only; anything else cannot start a job id and is a usage error.</summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var prefix = text.Trim().ToLowerInvariant();
        return prefix.Length > 0 && prefix.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c) || c == '-')
            ? prefix
            : throw new UsageException($"'{text}' is not a job id or the start of one (hex digits, as `pipeline status` prints).");
    }
}
