using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MassTransit;
using Pipeline.Platform.Hosting;
using Pipeline.Testing;
using Pipeline.Testing.Sagas;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>
/// AMQPS end to end: the local broker speaks plain AMQP only, so a TLS front (an in-process TLS terminator with a
/// certificate from a throw-away private CA, forwarding to the broker's 5672, as a TLS sidecar or load balancer
/// would) stands in for RabbitMQ's TLS listener. A service host with <c>Pipeline:RabbitMq:UseTls</c>,
/// <c>TlsServerName</c> and <c>CaCertificatePath</c> starts (start-up check and bus) and carries a saga round trip
/// over it; with another CA it stops at start-up naming the TLS settings.
/// </summary>
public sealed class RabbitMqTlsTests
{
    [Fact]
    public async Task A_service_runs_its_bus_over_tls_trusting_the_private_ca()
    {
        using var certificates = new TestCertificates();
        using var serverCertificate = certificates.IssueServer("rabbitmq.pipeline.test");
        await using var scenario = await StackScenario.CreateAsync();
        await using var front = TlsFront.Start(serverCertificate, int.Parse(scenario.Settings["Pipeline:RabbitMq:Port"] ?? "5672", System.Globalization.CultureInfo.InvariantCulture));
        scenario.Settings["Pipeline:RabbitMq:UseTls"] = "true";
        scenario.Settings["Pipeline:RabbitMq:Port"] = front.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        scenario.Settings["Pipeline:RabbitMq:TlsServerName"] = "rabbitmq.pipeline.test";
        scenario.Settings["Pipeline:RabbitMq:CaCertificatePath"] = certificates.CaPath;

        var host = await scenario.StartHostAsync();
        var id = NewId.NextGuid();
        await host.Send(new StartCounter { CounterId = id });
        await host.WaitFor(id, s => s is not null);
        await host.Send(new IncrementCounter { CounterId = id, Sequence = 1 });
        var saga = await host.WaitFor(id, s => s?.Count == 1);
        Assert.Equal(1, saga!.Count);
        Assert.True(front.Handshakes >= 2, $"expected the start-up check and the bus to connect through TLS; {front.Handshakes} handshakes");
    }

    [Fact]
    public async Task Another_ca_stops_the_service_at_start_up_naming_the_tls_settings()
    {
        using var certificates = new TestCertificates();
        using var otherCa = new TestCertificates("Not the broker's CA");
        using var serverCertificate = certificates.IssueServer("rabbitmq.pipeline.test");
        var settings = LocalStack.Settings();
        await using var front = TlsFront.Start(serverCertificate, int.Parse(settings["Pipeline:RabbitMq:Port"] ?? "5672", System.Globalization.CultureInfo.InvariantCulture));
        settings["Pipeline:Transport"] = "rabbitmq";
        settings["Pipeline:Database:Provider"] = "sqlite";
        settings["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(otherCa.Folder, "pipeline.db")}";
        settings["Pipeline:RabbitMq:UseTls"] = "true";
        settings["Pipeline:RabbitMq:Port"] = front.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Pipeline:RabbitMq:TlsServerName"] = "rabbitmq.pipeline.test";
        settings["Pipeline:RabbitMq:CaCertificatePath"] = otherCa.CaPath;
        settings["Pipeline:RabbitMq:StartupTimeout"] = "00:00:03";

        using var host = CounterHost.Build(settings);
        var ex = await Record.ExceptionAsync(() => host.StartAsync());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var error = Assert.IsType<StartupException>(PipelineHost.Unwrap(ex!));
        Assert.Contains("amqps://127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("TlsServerName / CaCertificatePath", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Accepts TLS on 127.0.0.1 and forwards the plain bytes to the broker.</summary>
    private sealed class TlsFront : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly X509Certificate2 _certificate;
        private readonly int _brokerPort;
        private readonly List<Task> _connections = [];
        private Task _accepting = Task.CompletedTask;
        private int _handshakes;

        private TlsFront(X509Certificate2 certificate, int brokerPort)
        {
            _certificate = certificate;
            _brokerPort = brokerPort;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Handshakes => Volatile.Read(ref _handshakes);

        public static TlsFront Start(X509Certificate2 certificate, int brokerPort)
        {
            var front = new TlsFront(certificate, brokerPort);
            front._listener.Start();
            front._accepting = front.AcceptAsync();
            return front;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                await using var tls = new SslStream(client.GetStream());
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
                {
                    // The client refused our certificate (what the second test expects): not a handshake.
                    return;
                }

                Interlocked.Increment(ref _handshakes);
                using var broker = new TcpClient();
                try
                {
                    await broker.ConnectAsync(IPAddress.Loopback, _brokerPort, _stop.Token);
                    var plain = broker.GetStream();
                    using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    var up = tls.CopyToAsync(plain, done.Token);
                    var down = plain.CopyToAsync(tls, done.Token);
                    await Task.WhenAny(up, down);
                    await done.CancelAsync();
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // a side closed
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            Task[] connections;
            lock (_connections)
            {
                connections = [.. _connections];
            }

            await Task.WhenAll(connections.Select(async t =>
            {
                try
                {
                    await t;
                }
                catch (Exception)
                {
                    // closing
                }
            }));
            _stop.Dispose();
        }
    }
}
