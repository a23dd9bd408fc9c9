using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Api.Infrastructure.Hosting;

namespace IntelExchange.Api.Security.Certificates;

/// <summary>
/// The partner CAs a client certificate must chain to. The authentication handler trusts them on every request; the
/// operator API checks a certificate against them before registering it, so that no certificate is pinned that could
/// never authenticate.
/// </summary>
internal sealed class PartnerTrust
{
    public const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    public PartnerTrust(ExchangeSettings settings)
    {
        foreach (var path in settings.Tls.PartnerCaCertificatePaths)
        {
            Roots.ImportFromPemFile(path);
        }
    }

    public X509Certificate2Collection Roots { get; } = [];

    /// <summary>Why the certificate could never authenticate a partner, or null when it can (now or from its notBefore).</summary>
    public string? RefusalReason(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime)
        {
            return "it has expired";
        }
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority))
        {
            return "it is a CA certificate, not a client certificate";
        }
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !usage.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == ClientAuthenticationOid))
        {
            return "its extended key usage does not include client authentication";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        // A certificate issued ahead of a rotation may be registered before it is valid; it is judged as of then.
        var notBefore = certificate.NotBefore.ToUniversalTime();
        chain.ChainPolicy.VerificationTime = notBefore > now.UtcDateTime ? notBefore : now.UtcDateTime;
        return chain.Build(certificate) ? null : "it does not chain to a partner CA";
    }
}
