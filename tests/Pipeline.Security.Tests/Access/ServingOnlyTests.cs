using System.Net;
using System.Net.Sockets;
using Pipeline.Cli;
using Pipeline.Testing.Embedded;
using static Pipeline.Security.Tests.Access.RolesTests;

namespace Pipeline.Security.Tests.Access;

/// <summary>
/// "Deploy's port offers rollback beside /predict": serving can run on a port of its own without the registry and
/// its admin route. And `pipeline up` on a busy port is one line and exit 2, not a crash.
/// </summary>
public sealed class ServingOnlyTests
{
    [Fact]
    public async Task With_registry_routes_off_the_port_answers_predict_and_health_only()
    {
        await using var system = await EmbeddedSystem.StartAsync(["deploy"], new Dictionary<string, string?> { ["Pipeline:Deploy:Serving:RegistryRoutes"] = "false" });
        using var http = new HttpClient { BaseAddress = new Uri(system.Url + "/") };

        // /predict is routed (an unknown model is the route's own 404, naming the field).
        using (var predict = await http.PostAsync("predict/no-such-model", Json("{\"a\": 1}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, predict.StatusCode);
            Assert.Contains("\"field\":\"model\"", await predict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "GET", "health/live"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(http, "GET", "models"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(http, "GET", "api/models"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(http, "POST", "models/m/rollback", Json("{}")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(http, "POST", "api/models/m/rollback", Json("{}")));
    }

    [Fact]
    public async Task Up_on_a_busy_port_prints_one_line_and_exits_2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var folder = Directory.CreateTempSubdirectory("pipeline-busy-").FullName;

        // Embedded mode whatever the environment says (CI sources the local stack's settings), so the port is the
        // first and only thing that can fail.
        var transport = Environment.GetEnvironmentVariable("Pipeline__Transport");
        Environment.SetEnvironmentVariable("Pipeline__Transport", null);
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var code = await PipelineCommand.RunAsync(["up", "--url", $"http://127.0.0.1:{port}", "--dir", folder], output, error, timeout.Token);

            Assert.Equal(2, code);
            var lines = error.ToString().Trim().Split('\n');
            Assert.True(lines.Length == 1, error.ToString());
            Assert.Contains("address already in use", lines[0], StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Pipeline__Transport", transport);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
