using Pipeline.Cli;

namespace Pipeline.Security.Tests.Access;

/// <summary>
/// `pipeline keys create|list|revoke` and the CLI's token from PIPELINE_TOKEN, against a system with API keys on.
/// The only test here that sets an environment variable (restored after).
/// </summary>
public sealed class KeyVerbTests
{
    [Fact]
    public async Task Keys_are_created_listed_and_revoked_from_the_cli_and_the_cli_sends_its_token()
    {
        await using var system = await SecuredSystem.StartAsync();
        var before = Environment.GetEnvironmentVariable("PIPELINE_TOKEN");
        try
        {
            // No token: refused with exit 4 and a line that says where the token comes from.
            Environment.SetEnvironmentVariable("PIPELINE_TOKEN", null);
            var (code, output, error) = await RunAsync("status", "--url", system.Url);
            Assert.True(code == ExitCodes.Denied, $"{code}: {output}{error}");
            Assert.Contains("PIPELINE_TOKEN", output + error, StringComparison.Ordinal);

            Environment.SetEnvironmentVariable("PIPELINE_TOKEN", SecuredSystem.AdminToken);
            (code, output, error) = await RunAsync("keys", "create", "ci-bot", "--role", "submitter", "--url", system.Url);
            Assert.True(code == ExitCodes.Ok, output + error);
            var token = output.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("pk_", StringComparison.Ordinal));

            (code, output, _) = await RunAsync("keys", "list", "--url", system.Url);
            Assert.Equal(ExitCodes.Ok, code);
            Assert.Matches(@"ci-bot\s+submitter\s+.*admin-token\s+active", output);
            Assert.DoesNotContain(token, output, StringComparison.Ordinal);

            // The new key reads jobs but may not manage keys.
            Environment.SetEnvironmentVariable("PIPELINE_TOKEN", token);
            Assert.Equal(ExitCodes.Ok, (await RunAsync("status", "--url", system.Url)).Code);
            (code, output, error) = await RunAsync("keys", "list", "--url", system.Url);
            Assert.True(code == ExitCodes.Denied, $"{code}: {output}{error}");

            Environment.SetEnvironmentVariable("PIPELINE_TOKEN", SecuredSystem.AdminToken);
            Assert.Equal(ExitCodes.Ok, (await RunAsync("keys", "revoke", "ci-bot", "--url", system.Url)).Code);
            Environment.SetEnvironmentVariable("PIPELINE_TOKEN", token);
            Assert.Equal(ExitCodes.Denied, (await RunAsync("status", "--url", system.Url)).Code);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PIPELINE_TOKEN", before);
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await PipelineCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
