using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Deploy.Tests;
using Pipeline.Platform.Messaging;

namespace Pipeline.Deploy.IntegrationTests;

/// <summary>Two serving instances under continuous load while a new version is deployed and then rolled back.</summary>
public sealed class HotSwapTests
{
    private const string Row = """{"sqft":1720.5,"rooms":4,"garden":true,"sold":"2023-05-06","city":"lyon"}""";

    [Fact]
    public async Task Under_load_no_request_fails_and_every_response_comes_from_exactly_one_version_through_deploy_rejection_and_rollbacks()
    {
        await using var stack = await DeployStack.CreateAsync();
        await using var a = await DeployHost.StartAsync(stack.Settings);
        await using var b = await DeployHost.StartAsync(stack.Settings);
        var events = await DeploymentEvents.ConnectAsync(a.Bus);
        var data = new DeployFixture(rows: 1000);

        var v1 = data.TrainModel(epochs: 2, seed: 1);
        var v2 = data.TrainModel(epochs: 20, seed: 2);
        Assert.IsType<ModelDeployed>(await events.DeployAsync(await data.StageJobAsync(a.Store, v1)));

        // The value each version gives the load's row: a response must carry exactly its version's value.
        var expected = new Dictionary<int, float> { [1] = PredictRow(data, v1), [2] = PredictRow(data, v2) };
        using var load = new LoadGenerator([a, b], Row);
        await load.RunUntilAsync(() => load.Count(1) > 200);

        var deployed = Assert.IsType<ModelDeployed>(await events.DeployAsync(await data.StageJobAsync(a.Store, v2)));
        Assert.Equal(2, deployed.Version);
        await load.RunUntilAsync(() => load.LatestVersion(a) == 2 && load.LatestVersion(b) == 2);

        // A worse model is rejected: serving stays on v2.
        var rejected = Assert.IsType<DeploymentRejected>(await events.DeployAsync(await data.StageJobAsync(a.Store, data.TrainModel(epochs: 0, seed: 3))));
        Assert.Equal(3, rejected.Version);

        // Rollback through the API on instance a; b hears ModelRolledBack on its own queue.
        using var rollback = await a.Http.PostAsJsonAsync("/models/houses/rollback", new { requestedBy = "test" });
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        await load.RunUntilAsync(() => load.LatestVersion(a) == 1 && load.LatestVersion(b) == 1);

        // And forward again through the RollbackModel command (the CLI's path).
        var send = await a.Bus.GetSendEndpoint(CommandQueues.Address(CommandQueues.RollbackModel));
        await send.Send(new RollbackModel { ModelName = "houses", ToVersion = 2, RequestedBy = "cli" });
        await load.RunUntilAsync(() => load.LatestVersion(a) == 2 && load.LatestVersion(b) == 2);
        var snapshot = await load.StopAsync();

        Assert.Empty(snapshot.Failures);
        Assert.True(snapshot.Responses.Count > 1000, $"{snapshot.Responses.Count} responses");
        Assert.All(snapshot.Responses, r => Assert.Equal(expected[r.Version], r.Value));
        Assert.Contains(snapshot.Responses, r => r.Version == 1);
        Assert.Contains(snapshot.Responses, r => r.Version == 2);
        Assert.DoesNotContain(snapshot.Responses, r => r.Version == 3);

        using var history = JsonDocument.Parse(await b.Http.GetStringAsync("/models/houses"));
        Assert.Equal([1, 2, 1, 2], history.RootElement.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("version").GetInt32()));
        // The untrained v3 is worse than predicting the mean: it never reached the version gate and stays a candidate.
        var v3 = history.RootElement.GetProperty("versions")[2];
        Assert.Equal("candidate", v3.GetProperty("stage").GetString());
        Assert.StartsWith("not worth serving", v3.GetProperty("stageReason").GetString(), StringComparison.Ordinal);
    }

    private static float PredictRow(DeployFixture data, Numerics.Layers.Network network)
    {
        var features = data.Transform.Apply(JsonDocument.Parse(Row).RootElement);
        var output = new float[1];
        network.Predict(features, 1, output);
        return (float)data.Transform.DecodeTarget(output[0]);
    }

    private sealed record Response(DeployHost Host, int Version, float Value);

    private sealed record Snapshot(IReadOnlyList<Response> Responses, IReadOnlyList<string> Failures);

    /// <summary>Eight clients per instance posting the same row back to back until stopped.</summary>
    private sealed class LoadGenerator : IDisposable
    {
        private readonly ConcurrentQueue<Response> _responses = new();
        private readonly ConcurrentQueue<string> _failures = new();
        private readonly ConcurrentDictionary<DeployHost, int> _latest = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task[] _clients;

        public LoadGenerator(DeployHost[] hosts, string row) =>
            _clients = [.. hosts.SelectMany(h => Enumerable.Range(0, 8).Select(_ => Task.Run(() => ClientAsync(h, row))))];

        public int Count(int version) => _responses.Count(r => r.Version == version);

        public int LatestVersion(DeployHost host) => _latest.GetValueOrDefault(host);

        public async Task RunUntilAsync(Func<bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the serving instances");
                Assert.True(_failures.IsEmpty, string.Join("; ", _failures.Take(5)));
                await Task.Delay(50);
            }
        }

        public async Task<Snapshot> StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_clients);
            return new Snapshot([.. _responses], [.. _failures]);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task ClientAsync(DeployHost host, string row)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await host.Http.PostAsync("/predict/houses", new StringContent(row, Encoding.UTF8, "application/json"));
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        _failures.Enqueue($"{(int)response.StatusCode}: {text}");
                        continue;
                    }

                    using var body = JsonDocument.Parse(text);
                    var version = body.RootElement.GetProperty("version").GetInt32();
                    _responses.Enqueue(new Response(host, version, body.RootElement.GetProperty("predictions")[0].GetProperty("value").GetSingle()));
                    _latest[host] = version;
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException)
                {
                    _failures.Enqueue(ex.Message);
                }
            }
        }
    }
}
