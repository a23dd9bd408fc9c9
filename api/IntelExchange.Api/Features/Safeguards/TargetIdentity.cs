using System.Net;
using System.Security.Cryptography;
using System.Text;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>
/// What makes two targets the same target, whatever their spelling: a name in punycode and lower case, an address in
/// canonical form (IPv4-mapped IPv6 as IPv4), a URL without its fragment, an app by store and id, an installer by hash.
/// </summary>
internal static class TargetIdentity
{
    public static string Key(ReportTarget target) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(target))));

    public static string Canonical(ReportTarget target) => target.Type switch
    {
        TargetType.Domain => "domain:" + (Targets.NormalizeDomain(target.Value) ?? target.Value),
        TargetType.Url => "url:" + CanonicalUrl(target.Value),
        TargetType.Ipv4 or TargetType.Ipv6 => "ip:" + (IPAddress.TryParse(target.Value, out var address) ? AddressPrefixTrie.Canonical(address).ToString() : target.Value),
        TargetType.MobileApp => $"app:{(target.Store is { } store ? WireNames<AppStore>.ToWire(store) : "")}:{target.AppId}",
        TargetType.DesktopApp => target.Sha256 is not null ? "desktop:sha256:" + target.Sha256.ToLowerInvariant()
            : target.DownloadUrl is not null ? "desktop:url:" + CanonicalUrl(target.DownloadUrl)
            : "desktop:name:" + target.Name?.ToLowerInvariant(),
        _ => "other:" + target.Value,
    };

    /// <summary>What a person reads as the target: its value, or an app's id, download URL or name.</summary>
    public static string? Display(ReportTarget target) => target.Value ?? target.AppId ?? target.DownloadUrl ?? target.Name;

    private static string? CanonicalUrl(string? value)
    {
        if (value is null || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return value;
        }
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port;
        return $"{uri.Scheme}://{uri.IdnHost.TrimEnd('.')}{port}{uri.PathAndQuery}";
    }
}
