using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MassTransit;
using Pipeline.Platform.Tls;

namespace Pipeline.Platform.Messaging;

/// <summary>
/// The TLS settings of the broker connection, from <see cref="RabbitMqOptions"/>: TLS 1.2 or 1.3, the server name
/// the certificate must carry, and who vouches for it (the CA bundle of <c>Pipeline:RabbitMq:CaCertificatePath</c>,
/// else the system's trust store). No certificate error is tolerated: neither a chain that does not end at a trusted
/// root, nor a name mismatch, nor a missing certificate. Used by the bus and by the start-up check alike.
/// </summary>
internal sealed class RabbitMqTls
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private const SslPolicyErrors Every = SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable;

    private RabbitMqTls(string serverName, X509Certificate2Collection? bundle)
    {
        ServerName = serverName;
        Bundle = bundle;
        Validator = TrustedCertificates.Validator(bundle);
    }

    public string ServerName { get; }

    public X509Certificate2Collection? Bundle { get; }

    public RemoteCertificateValidationCallback Validator { get; }

    /// <summary>The TLS settings of <paramref name="options"/>; <c>null</c> when <c>UseTls</c> is off.</summary>
    public static RabbitMqTls? From(RabbitMqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.UseTls)
        {
            return null;
        }

        var bundle = string.IsNullOrWhiteSpace(options.CaCertificatePath)
            ? null
            : TrustedCertificates.LoadBundle(options.CaCertificatePath, $"{RabbitMqOptions.Section}:CaCertificatePath");
        return new RabbitMqTls(options.EffectiveTlsServerName, bundle);
    }

    /// <summary>Applies these settings to MassTransit's host configuration (<c>h.UseSsl(tls.Apply)</c>).</summary>
    public void Apply(IRabbitMqSslConfigurator ssl)
    {
        ssl.Protocol = Protocols;
        ssl.ServerName = ServerName;
        ssl.EnforcePolicyErrors(Every);
        ssl.CertificateValidationCallback = Validator;
    }

    /// <summary>The same settings for RabbitMQ.Client's own connection factory (the start-up check).</summary>
    public RabbitMQ.Client.SslOption ToSslOption() => new()
    {
        Enabled = true,
        ServerName = ServerName,
        Version = Protocols,
        AcceptablePolicyErrors = SslPolicyErrors.None,
        CertificateValidationCallback = Validator,
    };
}
