using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pipeline.Platform.Persistence;
using Pipeline.Platform.Scheduling;
using Pipeline.Testing;

namespace Pipeline.Platform.IntegrationTests;

/// <summary>
/// TLS to PostgreSQL is a matter of the connection string (<c>SSL Mode</c>, <c>Root Certificate</c>): these
/// connect through our own database registration (<see cref="DatabaseRegistration.AddPipelineDbContext{TContext,TPostgres,TSqlite}"/>)
/// to the local stack's PostgreSQL and ask the server whether the session is encrypted (<c>pg_stat_ssl</c>).
/// The stack's PostgreSQL has <c>ssl = on</c> with Debian's self-signed "snakeoil" certificate.
/// </summary>
public sealed class PostgresTlsTests
{
    [Fact]
    public async Task SSL_Mode_Require_gives_an_encrypted_session()
    {
        var (ssl, version) = await SessionAsync("SSL Mode=Require");
        Assert.True(ssl, "pg_stat_ssl says the session is not encrypted: is ssl = on in the stack's PostgreSQL (SHOW ssl)?");
        Assert.StartsWith("TLSv1.", version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SSL_Mode_Disable_still_connects_in_plain_text()
    {
        var (ssl, _) = await SessionAsync("SSL Mode=Disable");
        Assert.False(ssl);
    }

    [Fact]
    public async Task VerifyCA_against_the_servers_own_certificate_as_root_connects_encrypted()
    {
        using var certificates = new TestCertificates();
        var server = await ServerCertificateAsync();
        Assert.True(server.SubjectName.RawData.AsSpan().SequenceEqual(server.IssuerName.RawData),
            $"the stack's PostgreSQL certificate ({server.Subject}) is not self-signed; this test pins it as its own root");
        var root = Path.Combine(certificates.Folder, "postgres-server.pem");
        await File.WriteAllTextAsync(root, server.ExportCertificatePem());

        var (ssl, _) = await SessionAsync($"SSL Mode=VerifyCA;Root Certificate={root}");
        Assert.True(ssl);
    }

    [Fact]
    public async Task VerifyFull_against_another_CA_is_refused()
    {
        using var certificates = new TestCertificates("Not the database's CA");
        var error = await Record.ExceptionAsync(() => SessionAsync($"SSL Mode=VerifyFull;Root Certificate={certificates.CaPath}"));
        Assert.NotNull(error);
        Assert.Contains(Chain(error), e => e is System.Security.Authentication.AuthenticationException || e.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Opens a session through <c>AddPipelineDbContext</c> with the stack's connection string plus <paramref name="tls"/>.</summary>
    private static async Task<(bool Ssl, string? Version)> SessionAsync(string tls)
    {
        var settings = LocalStack.Settings();
        var connectionString = settings["Pipeline:Database:ConnectionString"] + ";" + tls + ";Pooling=false;Timeout=10";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Database:Provider"] = "postgres",
            ["Pipeline:Database:ConnectionString"] = connectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPipelineDbContext<SchedulerDbContext, PostgresSchedulerDbContext, SqliteSchedulerDbContext>(configuration);
        await using var provider = services.BuildServiceProvider();
        await using var db = await provider.GetRequiredService<IDbContextFactory<SchedulerDbContext>>().CreateDbContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>The certificate the stack's PostgreSQL presents (captured during one handshake that accepts anything).</summary>
    private static async Task<X509Certificate2> ServerCertificateAsync()
    {
        X509Certificate2? captured = null;
        var builder = new NpgsqlDataSourceBuilder(LocalStack.Settings()["Pipeline:Database:ConnectionString"] + ";SSL Mode=Require;Pooling=false");
        builder.UseSslClientAuthenticationOptionsCallback(o => o.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            captured = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true;
        });
        await using var source = builder.Build();
        await using var connection = await source.OpenConnectionAsync();
        return captured ?? throw new InvalidOperationException("PostgreSQL presented no certificate");
    }

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
