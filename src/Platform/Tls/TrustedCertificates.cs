using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Pipeline.Platform.Tls;

/// <summary>
/// Server-certificate validation against a CA bundle of our own (a PEM file of one or more CA certificates), for
/// the TLS connections to RabbitMQ (<c>Pipeline:RabbitMq:CaCertificatePath</c>) and S3
/// (<c>Pipeline:Storage:CaCertificatePath</c>). PostgreSQL needs none of this: Npgsql reads <c>Root Certificate</c>
/// from the connection string itself.
/// <para>
/// With a bundle, the server's chain must end in one of the bundle's certificates (the system's trusted roots are
/// not consulted) and the host name must match the certificate; without one, the system's trust store decides, as
/// it would for any TLS client. Revocation is not checked (private CAs rarely publish CRLs reachable from a cluster).
/// </para>
/// </summary>
public static class TrustedCertificates
{
    /// <summary>Reads every certificate of a PEM file; a missing file, or one without a certificate, is a start-up error naming the setting.</summary>
    public static X509Certificate2Collection LoadBundle(string path, string setting)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new Hosting.StartupException($"{setting} is '{path}', which does not exist (a PEM file of the CA certificates to trust).");
        }

        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPemFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new Hosting.StartupException($"{setting} is '{path}', which is not a PEM file of certificates: {ex.Message}", ex);
        }

        if (bundle.Count == 0)
        {
            throw new Hosting.StartupException($"{setting} is '{path}', which holds no certificate (expected PEM '-----BEGIN CERTIFICATE-----' blocks).");
        }

        return bundle;
    }

    /// <summary>
    /// A validation callback that trusts exactly <paramref name="bundle"/> as roots; <c>null</c> bundle: the callback
    /// accepts what the platform's default validation accepted (no policy errors).
    /// </summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection? bundle) =>
        (_, certificate, chain, errors) => IsTrusted(bundle, certificate, chain, errors);

    /// <summary>The decision behind <see cref="Validator"/>.</summary>
    public static bool IsTrusted(X509Certificate2Collection? bundle, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (bundle is null)
        {
            return errors == SslPolicyErrors.None;
        }

        // A name mismatch or no certificate at all is never forgiven; only the chain is judged again.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(bundle);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // Intermediates the server sent.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (certificate is X509Certificate2 leaf)
        {
            return custom.Build(leaf);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(copy);
    }
}
