using System.Net;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Deploy.Serving;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;

namespace Pipeline.Deploy.Tests;

/// <summary>The Deploy process's readiness: the registry database, not the broker.</summary>
public sealed class ServingReadinessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-ready-").FullName;

    [Fact]
    public async Task Readiness_checks_the_database_and_leaves_the_bus_out()
    {
        var args = EmbeddedMode.Settings(_folder).Select(s => $"--{s.Key}={s.Value}").Append("--urls=http://127.0.0.1:0").ToArray();
        await using var app = PipelineHost.Build(args, defaultPort: 1, builder =>
        {
            builder.Services.AddDeploy(builder.Configuration);
            builder.Services.AddPipelineBus(builder.Configuration, x => x.AddDeployConsumers().KeepServingReadyWithoutBroker());
        }, a => a.MapServingApi());
        LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<ILoggerFactory>());
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var response = await http.GetAsync(new Uri(HealthEndpoints.ReadyPath, UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["database"], checks);
        await app.StopAsync();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
