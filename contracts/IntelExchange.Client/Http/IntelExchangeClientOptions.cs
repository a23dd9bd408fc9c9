using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IntelExchange.Client.Http;

/// <summary>How <see cref="IntelExchangeClient"/> reaches the exchange and signs for its tenant.</summary>
public sealed class IntelExchangeClientOptions
{
    /// <summary>The partner API, e.g. <c>https://127.0.0.1:5443</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The tenant the client certificate belongs to; it is the <c>iss</c> of every signature.</summary>
    public required string TenantId { get; init; }

    /// <summary>The client certificate with its private key. Alternatively give <see cref="ClientCertificatePath"/> and <see cref="ClientKeyPath"/>.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>PEM file of the client certificate (used when <see cref="ClientCertificate"/> is null).</summary>
    public string? ClientCertificatePath { get; init; }

    /// <summary>PEM file of the client certificate's private key (PKCS#8).</summary>
    public string? ClientKeyPath { get; init; }

    /// <summary>PEM file of the CA that issued the exchange's server certificate. Null: the system trust store.</summary>
    public string? ServerCaPath { get; init; }

    /// <summary>PEM file of the tenant's EC P-256 signing key (PKCS#8). Needed only to submit reports.</summary>
    public string? SigningKeyPath { get; init; }

    /// <summary>The signing key itself (used when <see cref="SigningKeyPath"/> is null). The client does not dispose it.</summary>
    public ECDsa? SigningKey { get; init; }

    /// <summary>The key id registered for the signing key. Null: its RFC 7638 thumbprint, which is what the exchange assigns.</summary>
    public string? SigningKeyId { get; init; }

    /// <summary>How often a transient failure is retried (with the same bytes, signature and idempotency key).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter. A <c>Retry-After</c> header wins.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Limit for one attempt; a timed-out attempt is retried.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit for a call including its retries.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Wraps the TLS transport, inside the retry handler, so every attempt passes through the wrapper: for logging,
    /// a proxy, or fault injection in tests.
    /// </summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapTransport { get; init; }
}
