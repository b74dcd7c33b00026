using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pipeline.Ingest.Api;
using Pipeline.Platform.Artifacts;

namespace Pipeline.Ingest.Tests;

/// <summary>With the broker down a submit answers within seconds (503 and Retry-After), never a silent 30 s hang.</summary>
public sealed class SubmitWithoutBrokerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("submit-no-broker-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_send_the_broker_never_takes_ends_at_the_timeout_with_the_job_id_and_the_upload_kept()
    {
        var store = new LocalFolderArtifactStore(_folder);
        var options = Options.Create(new IngestOptions { SubmitSendTimeout = TimeSpan.FromMilliseconds(300) });
        var client = new IngestClient(store, new UnreachableBroker(), options);

        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<BrokerUnavailableException>(() => client.SubmitAsync(new MemoryStream(Encoding.UTF8.GetBytes("a,price\n1,2\n")), "houses.csv"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("setting Pipeline:Ingest:SubmitSendTimeout", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(await store.StatAsync("ingest", "houses.csv"));
        Assert.NotEqual(Guid.Empty, ex.JobId);
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

    /// <summary>A broker that is down: getting the send endpoint never completes (as a send waiting for a connection).</summary>
    private sealed class UnreachableBroker : ISendEndpointProvider
    {
        public Task<ISendEndpoint> GetSendEndpoint(Uri address) => new TaskCompletionSource<ISendEndpoint>().Task;

        public ConnectHandle ConnectSendObserver(ISendObserver observer) => throw new NotSupportedException();
    }
}
