using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Platform.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Platform.Messaging;

/// <summary>
/// Opens one connection before the bus starts, so that a wrong host, port, virtual host or password is reported as
/// one line naming the setting, instead of MassTransit retrying forever in the background. After start-up,
/// reconnecting after a broker restart is MassTransit's job.
/// </summary>
internal sealed class RabbitMqPreflight(IOptions<RabbitMqOptions> options, TimeProvider clock) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (string.IsNullOrEmpty(o.Username))
        {
            throw new StartupException($"Pipeline:RabbitMq:Username is not set for the broker at {o.Address}; set it (and Pipeline:RabbitMq:Password) in configuration or the environment.");
        }

        var factory = ConnectionFactoryFor(o);

        var deadline = clock.GetUtcNow() + o.StartupTimeout;
        while (true)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync("pipeline-preflight", cancellationToken);
                return;
            }
            catch (BrokerUnreachableException ex) when (ex.InnerException is AuthenticationFailureException)
            {
                throw new StartupException($"RabbitMQ at {o.Address} refused user '{o.Username}' (settings Pipeline:RabbitMq:Username / Password).", ex);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or System.Net.Sockets.SocketException)
            {
                var reason = StartupException.Innermost(ex);
                if (reason.Contains("NOT_ALLOWED", StringComparison.Ordinal) || reason.Contains("vhost", StringComparison.OrdinalIgnoreCase))
                {
                    throw new StartupException($"RabbitMQ at {o.Address} refused virtual host '{o.VirtualHost}' for user '{o.Username}' (setting Pipeline:RabbitMq:VirtualHost): {reason}", ex);
                }

                if (o.UseTls && reason.Contains("certificate", StringComparison.OrdinalIgnoreCase))
                {
                    throw new StartupException($"RabbitMQ at {o.Address}: the TLS handshake failed (settings Pipeline:RabbitMq:TlsServerName / CaCertificatePath): {reason}", ex);
                }

                if (clock.GetUtcNow() >= deadline)
                {
                    throw new StartupException($"Cannot reach RabbitMQ at {o.Address} (settings Pipeline:RabbitMq:Host / Port) after {o.StartupTimeout.TotalSeconds:0} s: {reason}", ex);
                }

                await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A plain client connection to the configured broker (TLS included), for checks beside the bus's own.</summary>
    internal static ConnectionFactory ConnectionFactoryFor(RabbitMqOptions o)
    {
        var factory = new ConnectionFactory
        {
            HostName = o.Host,
            Port = o.Port,
            VirtualHost = o.VirtualHost,
            UserName = o.Username,
            Password = o.Password,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        };
        if (RabbitMqTls.From(o) is { } tls)
        {
            factory.Ssl = tls.ToSslOption();
        }

        return factory;
    }
}
