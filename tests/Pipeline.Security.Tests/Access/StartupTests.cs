using Pipeline.Cli;
using Pipeline.Platform.Hosting;

namespace Pipeline.Security.Tests.Access;

/// <summary>"Any non-loopback bind refuses to start without authentication configured."</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://127.0.0.1:0;http://[::]:0")]
    public void A_host_listening_beyond_loopback_refuses_to_start_with_authentication_off(string urls)
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-security-").FullName;
        try
        {
            var error = Assert.Throws<StartupException>(() => ServiceHost.Build(ServiceHost.All, EmbeddedMode.Settings(folder), urls, quiet: true));
            Assert.Contains("Pipeline:Security:Authentication=ApiKeys", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task With_api_keys_it_starts_beyond_loopback_and_a_short_admin_token_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-security-").FullName;
        try
        {
            var settings = EmbeddedMode.Settings(folder);
            settings["Pipeline:Security:Authentication"] = "ApiKeys";
            settings["Pipeline:Security:AdminToken"] = "short";
            var error = Assert.Throws<StartupException>(() => ServiceHost.Build(ServiceHost.All, settings, "http://0.0.0.0:0", quiet: true));
            Assert.Contains("AdminToken", error.Message, StringComparison.Ordinal);

            settings["Pipeline:Security:AdminToken"] = SecuredSystem.AdminToken;
            await using var app = ServiceHost.Build(ServiceHost.All, settings, "http://0.0.0.0:0", quiet: true);
            Assert.NotNull(app);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
