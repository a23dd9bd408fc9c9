using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IntelExchange.Client.Http;

/// <summary>The handler chain under <see cref="IntelExchangeClient"/>: retries and timeouts over mutual TLS.</summary>
internal static class ExchangeTransport
{
    public static HttpMessageHandler Create(IntelExchangeClientOptions options, X509Certificate2 clientCertificate, X509Certificate2? serverCa)
    {
        var tls = new SslClientAuthenticationOptions
        {
            ClientCertificates = new X509CertificateCollection { clientCertificate },
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
        if (serverCa is not null)
        {
            // Only this CA is trusted for the server; the host name is still checked against the certificate.
            tls.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { serverCa },
                RevocationMode = X509RevocationMode.NoCheck,
            };
        }
        HttpMessageHandler transport = new SocketsHttpHandler
        {
            SslOptions = tls,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (options.WrapTransport is not null)
        {
            transport = options.WrapTransport(transport);
        }
        return new ResilienceHandler(Pipeline(options)) { InnerHandler = transport };
    }

    /// <summary>
    /// Total timeout, then retry, then per-attempt timeout. A retry re-sends the same request message: same body bytes,
    /// same <c>X-JWS-Signature</c>, same <c>Idempotency-Key</c>, so the exchange answers a repeat from its idempotency record.
    /// </summary>
    private static ResiliencePipeline<HttpResponseMessage> Pipeline(IntelExchangeClientOptions options) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => IsTransientAsync(args.Outcome, args.Context.CancellationToken),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();

    internal static async ValueTask<bool> IsTransientAsync(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Exception is not null)
        {
            // A refused certificate or an untrusted server is not going to get better by trying again.
            return outcome.Exception is TimeoutRejectedException
                || outcome.Exception is HttpRequestException { InnerException: not AuthenticationException };
        }
        var response = outcome.Result!;
        return response.StatusCode switch
        {
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => true,
            // The first attempt of this very request may still be running on the exchange (it timed out here, not there).
            HttpStatusCode.Conflict => (await response.Content.ReadAsStringAsync(cancellationToken))
                .Contains("/problems/idempotency-key-in-flight", StringComparison.Ordinal),
            _ => false,
        };
    }
}
