using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.DevPki;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Tests.Security;

/// <summary>Real TLS handshakes against Kestrel on loopback, one per certificate case.</summary>
public sealed class PartnerAuthenticationTests : IClassFixture<PartnerAuthenticationTests.Server>
{
    private readonly Server _server;

    public PartnerAuthenticationTests(Server server) => _server = server;

    public sealed class Server : IDisposable
    {
        public ExchangeServer Exchange { get; } = new();

        public X509Certificate2 Ca { get; }

        public Server() => Ca = X509Certificate2.CreateFromPemFile(Path.Combine(Exchange.DevPki, "ca.crt"), Path.Combine(Exchange.DevPki, "ca.key"));

        public void Dispose() => Exchange.Dispose();
    }

    [Fact]
    public async Task Registered_certificate_identifies_its_tenant()
    {
        using var client = _server.Exchange.ClientFor("ifpi");

        var identity = await client.GetFromJsonAsync<PartnerIdentity>("/v1/partners/me");

        Assert.Equal("ifpi", identity!.TenantId);
        Assert.Equal(["reporter"], identity.Roles);
    }

    [Fact]
    public async Task Each_demo_tenant_gets_its_own_roles()
    {
        using var client = _server.Exchange.ClientFor("es-mcd");

        var identity = await client.GetFromJsonAsync<PartnerIdentity>("/v1/partners/me");

        Assert.Equal("es-mcd", identity!.TenantId);
        Assert.Equal(["reporter", "agency"], identity.Roles);
    }

    [Fact]
    public async Task Connection_without_a_certificate_fails()
    {
        using var client = _server.Exchange.ClientWith(null);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/v1/partners/me"));
    }

    [Fact]
    public async Task Expired_certificate_is_refused() =>
        await AssertRefused(Issue(_server.Ca, notBefore: DateTimeOffset.UtcNow.AddDays(-30), notAfter: DateTimeOffset.UtcNow.AddDays(-1), register: true));

    [Fact]
    public async Task Not_yet_valid_certificate_is_refused() =>
        await AssertRefused(Issue(_server.Ca, notBefore: DateTimeOffset.UtcNow.AddDays(1), notAfter: DateTimeOffset.UtcNow.AddDays(30), register: true));

    [Fact]
    public async Task Certificate_without_client_auth_usage_is_refused() =>
        await AssertRefused(Issue(_server.Ca, extendedKeyUsage: "1.3.6.1.5.5.7.3.1", register: true));

    [Fact]
    public async Task Certificate_from_a_foreign_ca_is_refused()
    {
        using var foreignKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreignCa = DevPkiGenerator.CreateCertificateAuthority(foreignKey, "CN=Rogue CA");
        await AssertRefused(Issue(foreignCa, register: true));
    }

    [Fact]
    public async Task Self_signed_look_alike_of_a_partner_is_refused()
    {
        using var genuine = _server.Exchange.LoadClientCertificate("ifpi");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(genuine.SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var lookAlike = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));

        await AssertRefused(X509CertificateLoader.LoadPkcs12(lookAlike.Export(X509ContentType.Pkcs12), null));
    }

    [Fact]
    public async Task Valid_certificate_that_is_not_registered_is_refused() =>
        await AssertRefused(Issue(_server.Ca, register: false));

    [Fact]
    public async Task Revoked_certificate_is_refused_within_a_second()
    {
        var certificate = Issue(_server.Ca, register: true);
        using (var client = _server.Exchange.ClientWith(certificate))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/partners/me")).StatusCode);
        }

        var thumbprint = PartnerAuthentication.Sha256Thumbprint(certificate);
        _server.Exchange.WithDb(db =>
        {
            db.ClientCredentials.Where(c => c.Thumbprint == thumbprint)
                .ExecuteUpdate(s => s.SetProperty(c => c.RevokedAt, DateTimeOffset.UtcNow));
            return db.DirectoryStates.ExecuteUpdate(s => s.SetProperty(d => d.Version, d => d.Version + 1));
        });
        await Task.Delay(TimeSpan.FromSeconds(1));

        await AssertRefused(certificate);
    }

    [Fact]
    public async Task Unauthenticated_refusal_is_a_problem_document()
    {
        using var client = _server.Exchange.ClientWith(Issue(_server.Ca, register: false));

        var response = await client.GetAsync("/v1/partners/me");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("problems/unauthenticated", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_endpoints_answer_on_the_ops_listener_only()
    {
        using var ops = new HttpClient { BaseAddress = _server.Exchange.OpsAddress };
        using var partner = _server.Exchange.ClientFor("ifpi");

        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await partner.GetAsync("/health/ready")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await ops.GetAsync("/v1/partners/me")).StatusCode);
    }

    private async Task AssertRefused(X509Certificate2 certificate)
    {
        using var client = _server.Exchange.ClientWith(certificate);
        try
        {
            var response = await client.GetAsync("/v1/partners/me");
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden,
                $"Expected 401/403 or a failed handshake, got {(int)response.StatusCode}.");
        }
        catch (HttpRequestException)
        {
            // Refused during the TLS handshake: also a refusal.
        }
    }

    private X509Certificate2 Issue(
        X509Certificate2 issuer, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string? extendedKeyUsage = null, bool register = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = DevPkiGenerator.CreateLeaf(issuer, key, $"CN=test-{Guid.NewGuid():N}", server: false,
            notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(30), extendedKeyUsage);
        var certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        if (register)
        {
            _server.Exchange.WithDb(db =>
            {
                db.ClientCredentials.Add(new ClientCredential
                {
                    Thumbprint = PartnerAuthentication.Sha256Thumbprint(certificate),
                    TenantId = "ifpi",
                    Subject = certificate.Subject,
                    NotBefore = certificate.NotBefore.ToUniversalTime(),
                    NotAfter = certificate.NotAfter.ToUniversalTime(),
                    RegisteredAt = DateTimeOffset.UtcNow,
                });
                db.SaveChanges();
                return db.DirectoryStates.ExecuteUpdate(s => s.SetProperty(d => d.Version, d => d.Version + 1));
            });
            Thread.Sleep(600); // the directory picks up the change within its 250 ms poll
        }
        return certificate;
    }
}
