using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using IntelExchange.Api.Features.Reports;

namespace IntelExchange.Api.Features.Callbacks;

/// <summary>The address check shared by registration and connect time.</summary>
internal static class CallbackAddressGuard
{
    /// <summary>
    /// True when there is at least one address and every one is public unicast. One private address among public ones
    /// refuses the whole name: mixed answers are how DNS rebinding reaches internal services.
    /// </summary>
    public static bool AllPublic(IReadOnlyCollection<IPAddress> addresses) => addresses.Count > 0 && addresses.All(Targets.IsPublicUnicast);
}

/// <summary>Thrown by the connect callback when a host resolves to an address callbacks must not reach.</summary>
internal sealed class CallbackAddressRefusedException(string host)
    : Exception($"The callback host '{host}' resolves to an address that is not public.");

/// <summary>What one attempt came to. <see cref="Error"/> is the exchange's own words, never the receiver's body.</summary>
internal sealed record CallbackOutcome(bool Delivered, int? StatusCode, string? Error);

/// <summary>
/// The HTTP client for callbacks. Its connect callback resolves the host itself, checks every address again (DNS may
/// have changed since registration) unless the host is in <c>Callbacks:AllowedHosts</c>, and connects only to a vetted
/// address. No redirects, no proxy, no cookies; 5 s to connect, 15 s per request, at most 4 KiB of the answer is read.
/// </summary>
internal sealed class CallbackHttp(CallbackOptions options, TimeProvider clock) : IDisposable
{
    public const int MaxResponseBytes = 4096;
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _client = new(CreateHandler(options)) { Timeout = Timeout.InfiniteTimeSpan };

    public static SocketsHttpHandler CreateHandler(CallbackOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = ConnectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        MaxResponseHeadersLength = 16,
        MaxResponseDrainSize = MaxResponseBytes,
        ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        ConnectCallback = (context, cancellationToken) => ConnectVettedAsync(context.DnsEndPoint, options, cancellationToken),
    };

    internal static async ValueTask<Stream> ConnectVettedAsync(DnsEndPoint endpoint, CallbackOptions options, CancellationToken cancellationToken)
    {
        var host = CallbackOptions.NormalizeHost(endpoint.Host);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (!options.IsAllowedHost(host) && !CallbackAddressGuard.AllPublic(addresses))
        {
            throw new CallbackAddressRefusedException(host);
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                last = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>POSTs the body with fresh Standard Webhooks headers; any 2xx is delivered, anything else a failure.</summary>
    public async Task<CallbackOutcome> PostAsync(Uri url, string webhookId, byte[] body, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSecrets.Sign(secrets, webhookId, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("IntelExchange-Webhooks", "1"));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await DiscardAsync(response.Content, timeout.Token);
            var status = (int)response.StatusCode;
            return status is >= 200 and <= 299 ? new CallbackOutcome(true, status, null)
                : status is >= 300 and <= 399 ? new CallbackOutcome(false, status, $"HTTP {status}: redirects are not followed")
                : new CallbackOutcome(false, status, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CallbackOutcome(false, null, $"no answer within {RequestTimeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException exception)
        {
            return new CallbackOutcome(false, null, Describe(exception));
        }
    }

    /// <summary>Reads (and drops) at most 4 KiB of the answer, so a receiver cannot make the sender read without end.</summary>
    private static async Task DiscardAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[1024];
        var total = 0;
        int read;
        while (total < MaxResponseBytes && (read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, MaxResponseBytes - total)), cancellationToken)) > 0)
        {
            total += read;
        }
    }

    private static string Describe(HttpRequestException exception) => exception switch
    {
        { InnerException: CallbackAddressRefusedException } => "refused: the host resolves to an address that is not public",
        { HttpRequestError: HttpRequestError.NameResolutionError } => "the host does not resolve",
        { HttpRequestError: HttpRequestError.ConnectionError } => "could not connect",
        { HttpRequestError: HttpRequestError.SecureConnectionError } => "TLS handshake failed",
        { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse } => "the receiver sent an invalid or incomplete answer",
        { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => "the receiver's answer headers are too large",
        _ => "the request failed",
    };

    public void Dispose() => _client.Dispose();
}
