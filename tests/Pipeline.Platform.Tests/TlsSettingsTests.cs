using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Minio;
using Pipeline.Platform.Artifacts;
using Pipeline.Platform.Hosting;
using Pipeline.Platform.Messaging;
using Pipeline.Platform.Tls;
using Pipeline.Testing;

namespace Pipeline.Platform.Tests;

/// <summary>
/// The TLS settings of RabbitMQ (<c>Pipeline:RabbitMq:UseTls</c>, <c>TlsServerName</c>, <c>CaCertificatePath</c>)
/// and S3 (<c>Pipeline:Storage:UseSsl</c> or an https endpoint, <c>CaCertificatePath</c>) reach the clients, and
/// a private CA bundle is the only thing trusted when given. S3 is exercised over a real TLS connection (an
/// in-process HTTPS endpoint answering the SDK's bucket check); RabbitMQ through MassTransit's host settings (the
/// AMQPS round trip is in the integration tests).
/// </summary>
public sealed class TlsSettingsTests
{
    [Fact]
    public void RabbitMq_tls_settings_bind_from_the_environment_form()
    {
        const string Prefix = "PIPELINE_TLS_TEST_";
        var variables = new Dictionary<string, string>
        {
            [Prefix + "Pipeline__RabbitMq__UseTls"] = "true",
            [Prefix + "Pipeline__RabbitMq__TlsServerName"] = "rabbitmq.example.internal",
            [Prefix + "Pipeline__RabbitMq__CaCertificatePath"] = "/etc/pipeline/tls/ca.pem",
            [Prefix + "Pipeline__Storage__CaCertificatePath"] = "/etc/pipeline/tls/s3-ca.pem",
        };
        foreach (var (k, v) in variables)
        {
            Environment.SetEnvironmentVariable(k, v);
        }

        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(Prefix).Build();
            var rabbit = configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>()!;
            Assert.True(rabbit.UseTls);
            Assert.Equal("rabbitmq.example.internal", rabbit.EffectiveTlsServerName);
            Assert.Equal("/etc/pipeline/tls/ca.pem", rabbit.CaCertificatePath);
            Assert.StartsWith("amqps://", rabbit.Address, StringComparison.Ordinal);
            var storage = configuration.GetSection(ArtifactStoreOptions.SectionName).Get<ArtifactStoreOptions>()!;
            Assert.Equal("/etc/pipeline/tls/s3-ca.pem", storage.CaCertificatePath);
        }
        finally
        {
            foreach (var k in variables.Keys)
            {
                Environment.SetEnvironmentVariable(k, null);
            }
        }
    }

    [Fact]
    public void RabbitMq_tls_is_off_by_default()
    {
        var o = new RabbitMqOptions { Host = "rabbitmq", Username = "u", Password = "p" };
        Assert.False(o.UseTls);
        Assert.Null(RabbitMqTls.From(o));
        var host = new RabbitMqHostConfigurator(o.Host, o.VirtualHost, o.Port);
        BusRegistration.ConfigureHost(host, o, RabbitMqTls.From(o));
        Assert.False(host.Settings.Ssl);
    }

    [Fact]
    public void RabbitMq_tls_reaches_the_host_settings_with_server_name_protocols_and_the_ca_bundle()
    {
        using var certificates = new TestCertificates();
        var o = new RabbitMqOptions { Host = "10.0.0.7", Port = 5671, Username = "u", Password = "p", UseTls = true, TlsServerName = "rabbitmq.example.internal", CaCertificatePath = certificates.CaPath };
        var tls = RabbitMqTls.From(o)!;
        var host = new RabbitMqHostConfigurator(o.Host, o.VirtualHost, o.Port);
        BusRegistration.ConfigureHost(host, o, tls);

        var settings = host.Settings;
        Assert.True(settings.Ssl);
        Assert.Equal("rabbitmq.example.internal", settings.SslServerName);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, settings.SslProtocol);
        Assert.Equal(SslPolicyErrors.None, settings.AcceptablePolicyErrors);
        Assert.Same(tls.Validator, settings.CertificateValidationCallback);
        Assert.Equal(certificates.Ca.Thumbprint, Assert.Single(tls.Bundle!).Thumbprint);

        var option = tls.ToSslOption();
        Assert.True(option.Enabled);
        Assert.Equal("rabbitmq.example.internal", option.ServerName);
        Assert.Same(tls.Validator, option.CertificateValidationCallback);
    }

    [Fact]
    public void A_missing_ca_file_is_a_startup_error_naming_the_setting()
    {
        var o = new RabbitMqOptions { Host = "rabbitmq", UseTls = true, CaCertificatePath = "/nonexistent/ca.pem" };
        var error = Assert.Throws<StartupException>(() => RabbitMqTls.From(o));
        Assert.Contains("Pipeline:RabbitMq:CaCertificatePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ca_bundle_trusts_the_certificates_it_signed_and_nothing_else()
    {
        using var ours = new TestCertificates();
        using var theirs = new TestCertificates("Someone Else's CA");
        using var server = ours.IssueServer("s3.example.internal");
        using var stranger = theirs.IssueServer("s3.example.internal");
        var bundle = TrustedCertificates.LoadBundle(ours.CaPath, "test");

        Assert.True(TrustedCertificates.IsTrusted(bundle, server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(TrustedCertificates.IsTrusted(bundle, stranger, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(TrustedCertificates.IsTrusted(bundle, server, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(TrustedCertificates.IsTrusted(bundle, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        // Without a bundle the platform's verdict stands.
        Assert.False(TrustedCertificates.IsTrusted(null, server, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.True(TrustedCertificates.IsTrusted(null, server, null, SslPolicyErrors.None));
    }

    [Theory]
    [InlineData("s3.example.internal:9000", true, true)]
    [InlineData("https://s3.example.internal:9000", false, true)]
    [InlineData("http://s3.example.internal:9000", true, false)]
    [InlineData("s3.example.internal:9000", false, false)]
    public void The_s3_client_uses_tls_as_the_endpoint_or_UseSsl_says(string endpoint, bool useSsl, bool secure)
    {
        var client = S3ArtifactStore.CreateClient(new ArtifactStoreOptions { Endpoint = endpoint, AccessKey = "a", SecretKey = "secret-key", UseSsl = useSsl });
        Assert.Equal(secure, client.Config.Secure);
    }

    [Fact]
    public void A_ca_bundle_for_plain_http_s3_is_refused()
    {
        using var certificates = new TestCertificates();
        var error = Assert.Throws<InvalidOperationException>(() => S3ArtifactStore.CreateClient(new ArtifactStoreOptions
        {
            Endpoint = "http://s3.example.internal:9000", AccessKey = "a", SecretKey = "secret-key", CaCertificatePath = certificates.CaPath,
        }));
        Assert.Contains("Pipeline:Storage:CaCertificatePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S3_over_tls_connects_with_the_private_ca_and_refuses_without_it()
    {
        using var certificates = new TestCertificates();
        using var serverCertificate = certificates.IssueServer("localhost");
        await using var endpoint = await StartHttpsEndpointAsync(serverCertificate);
        var options = new ArtifactStoreOptions { Provider = "s3", Endpoint = $"https://localhost:{endpoint.Port}", AccessKey = "a", SecretKey = "secret-key" };

        using (var trusting = new S3ArtifactStore(new ArtifactStoreOptions
        {
            Provider = "s3", Endpoint = options.Endpoint, AccessKey = "a", SecretKey = "secret-key", CaCertificatePath = certificates.CaPath,
        }))
        {
            await trusting.EnsureBucketAsync("datasets");
        }

        Assert.True(endpoint.Requests > 0);
        var before = endpoint.Requests;
        using var untrusting = new S3ArtifactStore(options);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => untrusting.EnsureBucketAsync("datasets"));
        Assert.Contains(Chain(error), e => e is AuthenticationException);
        Assert.Equal(before, endpoint.Requests);
    }

    [Fact]
    public async Task MassTransit_usage_telemetry_is_disabled()
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-telemetry-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pipeline:Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "pipeline.db")}",
            }).Build();
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddPipelineBus(configuration, _ => { });
            await using var provider = services.BuildServiceProvider();
            Assert.False(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<UsageTelemetryOptions>>().Value.Enabled);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>An HTTPS endpoint on 127.0.0.1 that answers 200 with an empty body to everything (enough for BucketExists).</summary>
    private static async Task<HttpsEndpoint> StartHttpsEndpointAsync(X509Certificate2 certificate)
    {
        var endpoint = new HttpsEndpoint();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        app.Run(context =>
        {
            Interlocked.Increment(ref endpoint.RequestCount);
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        endpoint.App = app;
        endpoint.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return endpoint;
    }

    private sealed class HttpsEndpoint : IAsyncDisposable
    {
        public int RequestCount;

        public WebApplication? App { get; set; }

        public int Port { get; set; }

        public int Requests => Volatile.Read(ref RequestCount);

        public async ValueTask DisposeAsync()
        {
            if (App is not null)
            {
                await App.DisposeAsync();
            }
        }
    }
}
