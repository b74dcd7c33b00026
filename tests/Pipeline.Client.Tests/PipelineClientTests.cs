using System.Net;
using ParquetSharp;
using Pipeline.Contracts;
using Pipeline.Contracts.Api;
using Pipeline.Testing.Embedded;

namespace Pipeline.Client.Tests;

/// <summary>The typed client against a whole system in this process (embedded mode): every call on real answers.</summary>
public sealed class PipelineClientTests : IAsyncLifetime
{
    private EmbeddedSystem _system = null!;
    private PipelineClient _client = null!;

    public async Task InitializeAsync()
    {
        _system = await EmbeddedSystem.StartAsync();
        _client = PipelineClient.Create(new Uri(_system.Url));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task A_parquet_upload_is_watched_to_deployed_then_served_listed_and_refused_a_rollback_with_one_version()
    {
        var file = WriteLinearParquet(Path.Combine(_system.Folder, "lines.parquet"), rows: 600);
        JobAccepted accepted;
        await using (var content = File.OpenRead(file))
        {
            accepted = await _client.SubmitFileAsync(content, "lines.parquet", [new("target", "y"), new("model", "lines")]);
        }

        var seen = new List<JobDetail>();
        await foreach (var detail in _client.WatchAsync(accepted.JobId, notFoundGrace: TimeSpan.FromSeconds(60), poll: TimeSpan.FromMilliseconds(500)))
        {
            seen.Add(detail);
        }

        // One item per change, in time order, ending with the first finished one.
        var final = seen[^1];
        Assert.True(final.Summary.Finished);
        Assert.Equal("Deployed", final.Summary.State);
        Assert.All(seen[..^1], d => Assert.False(d.Summary.Finished));
        Assert.Equal(seen.Count, seen.Select(d => d.Summary).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Summary.UpdatedAt <= p.Second.Summary.UpdatedAt));
        Assert.Equal(TaskKind.Regression, final.Spec.Task);

        Assert.Contains(await _client.ListJobsAsync(limit: 10), j => j.JobId == accepted.JobId);
        Assert.Equal(final.Summary, (await _client.GetJobAsync(accepted.JobId)).Summary);

        // The model learned y = 3a - 2b: the served answers follow it (in y's own unit), one per row in order.
        var answer = await _client.PredictAsync("lines", """[{"a": 1, "b": 0}, {"a": 0, "b": 1}, {"a": 0.5, "b": 0.5, "y": 9}]""");
        Assert.Equal("lines", answer.Model);
        Assert.Equal(1, answer.Version);
        Assert.Equal(3, answer.Predictions.Count);
        Assert.InRange(answer.Predictions[0].Value!.Value, 2.0, 4.0);
        Assert.InRange(answer.Predictions[1].Value!.Value, -3.0, -1.0);
        Assert.Equal(["y"], answer.Ignored);

        var models = await _client.ListModelsAsync();
        Assert.Equal(1, Assert.Single(models, m => m.Name == "lines").Production);
        Assert.Equal(1, (await _client.GetModelAsync("lines")).Production);
        var refused = await Assert.ThrowsAsync<PipelineApiException>(() => _client.RollbackAsync("lines", requestedBy: "client test"));
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);

        var late = await Assert.ThrowsAsync<PipelineApiException>(() => _client.CancelJobAsync(accepted.JobId, "too late"));
        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.StartsWith("Job already finished", late.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_job_is_null_to_find_and_a_404_to_get_and_to_watch()
    {
        var nobody = Guid.NewGuid();
        Assert.Null(await _client.FindJobAsync(nobody));
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<PipelineApiException>(() => _client.GetJobAsync(nobody))).Status);
        var watch = await Assert.ThrowsAsync<PipelineApiException>(async () =>
        {
            await foreach (var _ in _client.WatchAsync(nobody))
            {
            }
        });
        Assert.Equal(HttpStatusCode.NotFound, watch.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<PipelineApiException>(() => _client.PredictAsync("nope", "{}"))).Status);
    }

    [Fact]
    public async Task A_submit_the_system_refuses_throws_its_problem()
    {
        await using var content = new MemoryStream("a,b\n1,2\n"u8.ToArray());
        var ex = await Assert.ThrowsAsync<PipelineApiException>(() => _client.SubmitFileAsync(content, "x.csv", [new("rounds", "many")]));
        Assert.Equal(HttpStatusCode.BadRequest, ex.Status);
        Assert.Contains("rounds", ex.Reason, StringComparison.Ordinal);
    }

    /// <summary>y = 3a − 2b plus a little noise, written by Apache Arrow's C++ writer.</summary>
    private static string WriteLinearParquet(string path, int rows)
    {
        var random = new Random(3);
        var a = Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var b = Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var y = a.Zip(b, (x1, x2) => (3 * x1) - (2 * x2) + (0.05 * (random.NextDouble() - 0.5))).ToArray();
        using var file = new ParquetFileWriter(path, [new Column<double>("a"), new Column<double>("b"), new Column<double>("y")]);
        using (var group = file.AppendRowGroup())
        {
            foreach (var values in new[] { a, b, y })
            {
                using var writer = group.NextColumn().LogicalWriter<double>();
                writer.WriteBatch(values);
            }
        }

        file.Close();
        return path;
    }
}
