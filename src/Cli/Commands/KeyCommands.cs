using System.Net.Http.Json;
using System.Text.Json;

namespace Pipeline.Cli.Commands;

/// <summary>
/// `pipeline keys create NAME --role ROLE | list | revoke ID|NAME`: API keys, through the running system's
/// <c>/api/keys</c> (admin role; the first admin is the configured <c>Pipeline:Security:AdminToken</c>).
/// </summary>
public static class KeyCommands
{
    public static readonly string[] Values = ["--url", "--role"];
    public static readonly string[] Flags = ["--json"];

    public const string Usage = """
        usage: pipeline keys create NAME --role ROLE [--json]
               pipeline keys list [--json]
               pipeline keys revoke ID|NAME

        Manages the API keys of a running system (needs an admin key in PIPELINE_TOKEN or the config file).
        Roles: reader (jobs, models, dashboard), submitter (also submit and cancel its own jobs), predictor
        (/predict only), admin (everything: rollback, cancel any job, keys). `create` prints the token once; the
        system keeps only its hash. Put it in PIPELINE_TOKEN or the config file of whoever uses it.
        """;

    public static async Task<int> RunAsync(CommandLine line, TextWriter output, CancellationToken cancellationToken)
    {
        var action = line.Positionals.Count > 0 ? line.Positionals[0] : throw new UsageException("give create, list or revoke.");
        using var http = ApiHttp.Client(line);
        switch (action)
        {
            case "create" when line.Positionals.Count == 2:
            {
                var role = line.Value("--role") ?? throw new UsageException("--role is required (reader, submitter, predictor or admin).");
                using var response = await http.PostAsJsonAsync("api/keys", new { name = line.Positionals[1], role }, cancellationToken);
                if (!response.IsSuccessStatusCode || line.Flag("--json"))
                {
                    return await PrintOrFailAsync(response, line, output, cancellationToken);
                }

                var created = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                output.WriteLine($"key '{created.GetProperty("name").GetString()}' ({created.GetProperty("role").GetString()}), id {created.GetProperty("id").GetString()}");
                output.WriteLine("token (shown once; the system keeps only its hash):");
                output.WriteLine(created.GetProperty("token").GetString());
                return ExitCodes.Ok;
            }

            case "list" when line.Positionals.Count == 1:
            {
                using var response = await http.GetAsync("api/keys", cancellationToken);
                if (!response.IsSuccessStatusCode || line.Flag("--json"))
                {
                    return await PrintOrFailAsync(response, line, output, cancellationToken);
                }

                var keys = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                output.WriteLine($"{"NAME",-24} {"ROLE",-10} {"CREATED",-20} {"BY",-16} STATE");
                foreach (var key in keys.EnumerateArray())
                {
                    var revoked = key.GetProperty("revokedAt").ValueKind == JsonValueKind.Null ? "active" : "revoked";
                    output.WriteLine($"{key.GetProperty("name").GetString(),-24} {key.GetProperty("role").GetString(),-10} {key.GetProperty("createdAt").GetDateTimeOffset():yyyy-MM-dd HH:mm,-20} {key.GetProperty("createdBy").GetString(),-16} {revoked}");
                }

                return ExitCodes.Ok;
            }

            case "revoke" when line.Positionals.Count == 2:
            {
                using var response = await http.DeleteAsync($"api/keys/{Uri.EscapeDataString(line.Positionals[1])}", cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return await PrintOrFailAsync(response, line, output, cancellationToken);
                }

                output.WriteLine($"revoked '{line.Positionals[1]}'");
                return ExitCodes.Ok;
            }

            default:
                throw new UsageException($"'{string.Join(' ', line.Positionals)}' is not a keys command.");
        }
    }

    private static async Task<int> PrintOrFailAsync(HttpResponseMessage response, CommandLine line, TextWriter output, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return await ApiHttp.PrintAsync(response, line, output, output, cancellationToken);
        }

        output.WriteLine($"refused: {await ApiHttp.ReasonAsync(response, cancellationToken)}");
        return ApiHttp.ExitCodeOf(response);
    }
}
