using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Ingest.Api;
using Pipeline.Ingest.Registry;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Ingest.Tests;

/// <summary>With the broker down a submit answers within seconds (503 and Retry-After), never a silent 30 s hang.</summary>
public sealed class SubmitWithoutBrokerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("submit-no-broker-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_publish_the_broker_never_takes_ends_at_the_timeout_with_the_stored_job_id_and_the_upload_kept()
    {
        await using var services = Services();
        await using var scope = services.CreateAsyncScope();
        var client = scope.ServiceProvider.GetRequiredService<IngestClient>();

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<BrokerUnavailableException>(() => client.SubmitAsync(new MemoryStream(Encoding.UTF8.GetBytes("a,price\n1,2\n")), "houses.csv"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("setting Pipeline:Ingest:SubmitSendTimeout", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<IArtifactStore>().StatAsync("ingest", "houses.csv"));

        // The id in the 503 is the one recorded for the object version: a retry (or the bucket listing) names the same job.
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<IngestDbContext>>().CreateDbContextAsync();
        var recorded = await db.ObjectVersions.SingleAsync();
        Assert.Equal(recorded.JobId, ex.JobId);
        Assert.Null(recorded.PublishedAt);
    }

    /// <summary>Ingest's services on SQLite and a local folder, with a broker that never takes a message.</summary>
    private ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Database:Provider"] = "sqlite",
            ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(_folder, "ingest.db")}",
            ["Pipeline:Storage:Provider"] = "local",
            ["Pipeline:Storage:Root"] = Path.Combine(_folder, "store"),
            ["Pipeline:Ingest:SubmitSendTimeout"] = "00:00:00.300",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddIngest(configuration)
            .AddSingleton(UnreachableBroker.Create())
            .BuildServiceProvider();
        using var db = services.GetRequiredService<IDbContextFactory<IngestDbContext>>().CreateDbContext();
        db.Database.Migrate();
        return services;
    }

    [Fact]
    public async Task The_answer_is_a_503_with_retry_after_naming_the_broker_and_the_stored_file()
    {
        var http = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().Configure<IngestOptions>(o => o.SubmitRetryAfter = TimeSpan.FromSeconds(20)).BuildServiceProvider(),
        };
        http.Response.Body = new MemoryStream();
        var jobId = Guid.NewGuid();
        var failure = new BrokerUnavailableException(jobId, new Contracts.ObjectRef("ingest", "houses.csv", "", 12), TimeSpan.FromSeconds(5), new TimeoutException());

        await SubmitApi.BrokerUnavailable(http, failure).ExecuteAsync(http);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal("20", http.Response.Headers.RetryAfter.ToString());
        http.Response.Body.Position = 0;
        using var problem = await JsonDocument.ParseAsync(http.Response.Body);
        Assert.Equal("Message broker unavailable", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("ingest/houses.csv", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(jobId, problem.RootElement.GetProperty("jobId").GetGuid());
    }

    /// <summary>A broker that is down: no publish ever completes (as a publish waiting for a connection).</summary>
    public class UnreachableBroker : DispatchProxy
    {
        public static IPublishEndpoint Create() => Create<IPublishEndpoint, UnreachableBroker>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.ReturnType == typeof(Task) ? new TaskCompletionSource().Task : throw new NotSupportedException(targetMethod?.Name);
    }
}
