using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Api.Security.DevPki;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Operator;

/// <summary>
/// Onboarding as an operator does it, over the operator API only: a partner's own key pair and a certificate issued for
/// it by the partner CA, its own signing key. The partner's files are laid out like a demo tenant's, so
/// <see cref="Partner"/> and the SDK read them.
/// </summary>
public static class OperatorSteps
{
    public static X509Certificate2 PartnerCa(ExchangeServer server) =>
        X509Certificate2.CreateFromPemFile(Path.Combine(server.DevPki, "ca.crt"), Path.Combine(server.DevPki, "ca.key"));

    /// <summary>A client certificate from the dev partner CA (or <paramref name="issuer"/>), with its private key.</summary>
    public static X509Certificate2 IssueCertificate(
        ExchangeServer server, string subject, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string? extendedKeyUsage = null,
        X509Certificate2? issuer = null)
    {
        using var ca = issuer is null ? PartnerCa(server) : null;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = DevPkiGenerator.CreateLeaf(issuer ?? ca!, key, subject, server: false,
            notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(365), extendedKeyUsage);
        return X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes the partner's certificate and key where <see cref="ExchangeServer.ClientFor"/> looks for them.</summary>
    public static void InstallCertificate(ExchangeServer server, string tenant, X509Certificate2 certificate)
    {
        var folder = Directory.CreateDirectory(Path.Combine(server.DevPki, tenant)).FullName;
        File.WriteAllText(Path.Combine(folder, "client.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "client.key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A new signing key for the tenant, written where <see cref="Partner"/> looks; returns its public key PEM.</summary>
    public static string CreateSigningKey(ExchangeServer server, string tenant)
    {
        var folder = Directory.CreateDirectory(Path.Combine(server.DevPki, tenant)).FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(folder, "signing.key"), key.ExportPkcs8PrivateKeyPem());
        return key.ExportSubjectPublicKeyInfoPem();
    }

    public static async Task<T> ExpectAsync<T>(this Task<HttpResponseMessage> sending, HttpStatusCode status)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(text, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
    }

    public static Task<HttpResponseMessage> CreateTenantAsync(this HttpClient operatorClient, string id, string name, params string[] roles) =>
        operatorClient.PostAsJsonAsync("/v1/operator/tenants", new { id, name, roles });

    public static Task<HttpResponseMessage> RegisterCertificateAsync(this HttpClient operatorClient, string tenant, string pem) =>
        operatorClient.PostAsJsonAsync($"/v1/operator/tenants/{tenant}/certificates", new { pem });

    public static Task<HttpResponseMessage> RegisterSigningKeyAsync(this HttpClient operatorClient, string tenant, string pem) =>
        operatorClient.PostAsJsonAsync($"/v1/operator/tenants/{tenant}/signing-keys", new { pem });

    public static Task<HttpResponseMessage> PutAgreementAsync(this HttpClient operatorClient, string reporter, string agency, bool isDefault = false) =>
        operatorClient.PutAsJsonAsync("/v1/operator/agreements", new { reporter, agency, isDefault });

    /// <summary>
    /// The whole onboarding of a partner, through the operator API: tenant, certificate, signing key (its kid written
    /// beside the key) and agreements. The partner can call at once: no restart.
    /// </summary>
    public static async Task<Partner> OnboardAsync(
        this ExchangeServer server, HttpClient operatorClient, string tenant, string[] roles, params (string Reporter, string Agency, bool IsDefault)[] agreements)
    {
        await operatorClient.CreateTenantAsync(tenant, $"{tenant} (joined in a test)", roles).ExpectAsync<OperatorTenant>(HttpStatusCode.Created);
        using var certificate = IssueCertificate(server, $"CN={tenant}, O=Test partner");
        await operatorClient.RegisterCertificateAsync(tenant, certificate.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.Created);
        InstallCertificate(server, tenant, certificate);
        var signingKey = await operatorClient.RegisterSigningKeyAsync(tenant, CreateSigningKey(server, tenant))
            .ExpectAsync<OperatorSigningKey>(HttpStatusCode.Created);
        File.WriteAllText(Path.Combine(server.DevPki, tenant, "signing.kid"), signingKey.Kid + "\n");
        foreach (var (reporter, agency, isDefault) in agreements)
        {
            await operatorClient.PutAgreementAsync(reporter, agency, isDefault).ExpectAsync<SharingAgreementDetails>(HttpStatusCode.Created);
        }
        return new Partner(server, tenant);
    }

    /// <summary>Polls until the condition holds; returns how long that took, or fails after the timeout.</summary>
    public static async Task<TimeSpan> WithinAsync(TimeSpan timeout, Func<Task<bool>> condition, string what)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(started.Elapsed < timeout, $"{what}: not within {timeout.TotalMilliseconds} ms");
            await Task.Delay(20);
        }
        return started.Elapsed;
    }

    /// <summary>A partner call is refused when the answer is 401/403 or the TLS handshake fails.</summary>
    public static async Task<bool> IsRefusedAsync(HttpClient client, string path = "/v1/partners/me")
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }
}
