using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Api.Security.Signing;

namespace IntelExchange.Api.Security.DevPki;

/// <summary>
/// Creates the development PKI of the embedded default: a CA (with its key, so an operator can issue a new partner's
/// certificate), the server certificate, and for each demo tenant a client certificate and a signing key.
/// File names are part of the wire contract (DESIGN.md, "Embedded default and dev PKI"). Existing files are reused.
/// </summary>
internal static class DevPkiGenerator
{
    public static readonly IReadOnlyList<string> DemoTenants = ["ifpi", "indecopi", "es-mcd", "operator"];

    public static void EnsureCreated(string directory)
    {
        Directory.CreateDirectory(directory);
        var caCertPath = Path.Combine(directory, "ca.crt");
        var caKeyPath = Path.Combine(directory, "ca.key");
        if (!File.Exists(caCertPath) || !File.Exists(caKeyPath))
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            using var ca = CreateCertificateAuthority(caKey);
            WriteSecret(caKeyPath, caKey.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(caCertPath, ca.ExportCertificatePem());
        }

        using var caCertificate = X509Certificate2.CreateFromPemFile(caCertPath, caKeyPath);
        var serverCertPath = Path.Combine(directory, "server.crt");
        if (!File.Exists(serverCertPath))
        {
            IssueLeaf(caCertificate, "CN=localhost, O=IntelExchange dev", serverCertPath, Path.Combine(directory, "server.key"), server: true);
        }

        foreach (var tenant in DemoTenants)
        {
            EnsureTenant(caCertificate, directory, tenant);
        }
    }

    public static void EnsureTenant(X509Certificate2 caCertificate, string directory, string tenant)
    {
        var tenantDirectory = Path.Combine(directory, tenant);
        Directory.CreateDirectory(tenantDirectory);
        var clientCertPath = Path.Combine(tenantDirectory, "client.crt");
        if (!File.Exists(clientCertPath))
        {
            IssueLeaf(caCertificate, $"CN={tenant}, O=IntelExchange dev partner", clientCertPath, Path.Combine(tenantDirectory, "client.key"), server: false);
        }

        var signingKeyPath = Path.Combine(tenantDirectory, "signing.key");
        if (!File.Exists(signingKeyPath))
        {
            using var signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            WriteSecret(signingKeyPath, signingKey.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(Path.Combine(tenantDirectory, "signing.kid"),
                EcKeys.Thumbprint(signingKey.ExportParameters(false)) + "\n");
        }
    }

    public static X509Certificate2 CreateCertificateAuthority(ECDsa key, string subject = "CN=IntelExchange Dev Partner CA, O=IntelExchange dev")
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-30), now.AddYears(10));
    }

    /// <summary>Issues a leaf certificate signed by <paramref name="issuer"/> and writes it and its key as PEM.</summary>
    public static void IssueLeaf(X509Certificate2 issuer, string subject, string certificatePath, string keyPath, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = CreateLeaf(issuer, key, subject, server, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(2));
        WriteSecret(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
    }

    public static X509Certificate2 CreateLeaf(
        X509Certificate2 issuer, ECDsa key, string subject, bool server, DateTimeOffset notBefore, DateTimeOffset notAfter,
        string? extendedKeyUsageOid = null)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            server ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement : X509KeyUsageFlags.DigitalSignature, true));
        var usage = extendedKeyUsageOid ?? (server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2");
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(issuer, notBefore, notAfter, serial);
        return certificate.CopyWithPrivateKey(key);
    }

    private static void WriteSecret(string path, string pem)
    {
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
