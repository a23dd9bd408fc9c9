using System.Net;
using System.Net.Sockets;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Http;

namespace IntelExchange.Api.Features.Callbacks;

/// <summary>
/// The SSRF check at registration: https only, no credentials, no reserved names, and every address the host resolves
/// to must be public unicast. Hosts in <c>Callbacks:AllowedHosts</c> skip the name and address checks (and may use
/// http when <c>Callbacks:AllowInsecureHttp</c> is true). The sender checks the addresses again at connect time.
/// </summary>
internal sealed class CallbackUrlPolicy(CallbackOptions options)
{
    public const int MaxUrlLength = 2048;
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] ReservedSuffixes = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa"];

    public async Task<Uri> CheckAsync(string url, CancellationToken cancellationToken)
    {
        if (url.Length > MaxUrlLength || url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw Refused("The URL is not an absolute URL.");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Refused("The URL must not carry credentials.");
        }
        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            throw Refused("The URL must not carry a fragment.");
        }

        var host = CallbackOptions.NormalizeHost(uri.Host);
        var allowed = options.IsAllowedHost(host);
        var secure = uri.Scheme == Uri.UriSchemeHttps;
        if (!secure && !(uri.Scheme == Uri.UriSchemeHttp && options.AllowInsecureHttp && allowed))
        {
            throw Refused("The URL must use https.");
        }
        if (allowed)
        {
            return uri;
        }

        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return Targets.IsPublicUnicast(IPAddress.Parse(host)) ? uri : throw Refused("The address is not a public unicast address.");
        }
        if (host == "localhost" || ReservedSuffixes.Any(suffix => host.EndsWith(suffix, StringComparison.Ordinal)))
        {
            throw Refused("The host name is reserved for local or internal use.");
        }
        if (uri.HostNameType != UriHostNameType.Dns || Targets.NormalizeDomain(uri.IdnHost) is null)
        {
            throw Refused("The host is not a valid DNS name.");
        }

        var addresses = await ResolveAsync(uri.IdnHost, cancellationToken);
        return CallbackAddressGuard.AllPublic(addresses) ? uri : throw Refused("The host resolves to an address that is not public.");
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResolveTimeout);
        try
        {
            return await Dns.GetHostAddressesAsync(host, timeout.Token);
        }
        catch (Exception exception) when (exception is SocketException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw Refused("The host does not resolve.");
        }
    }

    private static ProblemException Refused(string detail) => new(Problems.CallbackUrlRefused, detail);
}
