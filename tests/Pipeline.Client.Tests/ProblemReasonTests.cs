using System.Net;
using System.Text;

namespace Pipeline.Client.Tests;

/// <summary>A refused request becomes one readable line, whatever the body.</summary>
public sealed class ProblemReasonTests
{
    [Theory]
    [InlineData("""{"title":"Unknown model","detail":"no production version of model 'x'"}""", "Unknown model: no production version of model 'x'")]
    [InlineData("""{"title":"Rollback refused","detail":"Rollback refused: model 'x' has one version"}""", "Rollback refused: model 'x' has one version")]
    [InlineData("""{"title":"Job already finished"}""", "Job already finished")]
    [InlineData("<html>bad gateway</html>", "502 Bad Gateway")]
    [InlineData("""{"unrelated":1}""", "502 Bad Gateway")]
    public async Task The_reason_is_title_and_detail_once_or_the_status_line(string body, string reason)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json"), ReasonPhrase = "Bad Gateway" };
        var ex = await PipelineApiException.FromResponseAsync(response);
        Assert.Equal(HttpStatusCode.BadGateway, ex.Status);
        Assert.Equal(reason, ex.Reason);
    }

    [Fact]
    public async Task Every_typed_call_throws_the_refusal_with_its_status()
    {
        using var client = new PipelineClient(new HttpClient(new Answering(HttpStatusCode.Forbidden, """{"title":"Forbidden","detail":"the key's role is reader"}""")) { BaseAddress = new Uri("http://pipeline.test/") }, ownsHttp: true);
        var ex = await Assert.ThrowsAsync<PipelineApiException>(() => client.ListJobsAsync());
        Assert.Equal(HttpStatusCode.Forbidden, ex.Status);
        Assert.Equal("Forbidden: the key's role is reader", ex.Reason);
        await Assert.ThrowsAsync<PipelineApiException>(() => client.PredictAsync("m", "{}"));
        await Assert.ThrowsAsync<PipelineApiException>(() => client.RollbackAsync("m"));
    }

    /// <summary>Answers every request with one status and body.</summary>
    private sealed class Answering(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/problem+json"), RequestMessage = request });
    }
}
