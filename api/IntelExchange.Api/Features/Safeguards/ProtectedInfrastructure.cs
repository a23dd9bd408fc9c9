using System.Net;
using System.Net.Sockets;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>One protected entry: a domain suffix or a CIDR range, whose it is, and which list it came from.</summary>
internal sealed record ProtectedRule(ProtectedEntryKind Kind, string Value, string Owner, string List)
{
    public const string FlagCode = "protected_infrastructure";

    public string RuleId => Kind == ProtectedEntryKind.Domain ? $"domain_suffix:{Value}" : $"cidr:{Value}";

    public TargetFlag ToFlag(string matched) => new()
    {
        Code = FlagCode,
        Rule = RuleId,
        Detail = Truncate(Kind == ProtectedEntryKind.Domain
            ? $"{matched} is {Value} or a name under it: {Owner} (list {List}). Blocking it would take down unrelated users of the platform."
            : $"{matched} is in {Value}: {Owner} (list {List}). The address is shared infrastructure; blocking it would take down every site it serves."),
    };

    private static string Truncate(string text) => text.Length <= SafeguardLimits.Detail ? text : text[..SafeguardLimits.Detail];
}

/// <summary>
/// An immutable view of every protected entry (the shipped lists and the operator's additions), swapped as a whole when
/// the additions change. Checking a target costs a handful of dictionary probes and at most 128 bit tests.
/// </summary>
internal sealed class ProtectedInfrastructure
{
    public static readonly ProtectedInfrastructure Empty = new(-1, []);

    private readonly DomainSuffixTrie _domains = new();
    private readonly AddressPrefixTrie _ranges = new();

    public ProtectedInfrastructure(long version, IEnumerable<ProtectedRule> rules)
    {
        Version = version;
        foreach (var rule in rules)
        {
            if (rule.Kind == ProtectedEntryKind.Domain)
            {
                _domains.Add(rule.Value, rule);
            }
            else
            {
                _ranges.Add(IPNetwork.Parse(rule.Value), rule);
            }
        }
    }

    public long Version { get; }
    public int DomainCount => _domains.Count;
    public int RangeCount => _ranges.Count;

    /// <summary>
    /// The flags of a target: a domain by its name, a URL or a desktop app's download URL by its host, an address by the
    /// ranges that hold it. Mobile apps are identified by store and id, which no list covers.
    /// </summary>
    public IReadOnlyList<TargetFlag> Check(ReportTarget target)
    {
        var matches = new List<ProtectedRule>();
        var subject = target.Type switch
        {
            TargetType.Domain => MatchHost(NormalizeHost(target.Value), matches),
            TargetType.Url => MatchUrl(target.Value, matches),
            TargetType.DesktopApp => MatchUrl(target.DownloadUrl, matches),
            TargetType.Ipv4 or TargetType.Ipv6 => IPAddress.TryParse(target.Value, out var address) ? MatchAddress(address, matches) : null,
            _ => null,
        };
        if (subject is null || matches.Count == 0)
        {
            return [];
        }
        return matches.DistinctBy(m => m.RuleId).Take(SafeguardLimits.MaxFlagsPerTarget).Select(m => m.ToFlag(subject)).ToList();
    }

    public IReadOnlyList<ProtectedRule> MatchHost(string host)
    {
        var matches = new List<ProtectedRule>();
        MatchHost(NormalizeHost(host), matches);
        return matches;
    }

    public IReadOnlyList<ProtectedRule> MatchAddress(IPAddress address)
    {
        var matches = new List<ProtectedRule>();
        MatchAddress(address, matches);
        return matches;
    }

    /// <summary>Lower-case punycode without a trailing dot, as the report validator accepts names; null if it is no valid name.</summary>
    public static string? NormalizeHost(string? host) => Targets.NormalizeDomain(host);

    private string? MatchHost(string? host, List<ProtectedRule> matches)
    {
        if (host is null)
        {
            return null;
        }
        _domains.Match(host, matches);
        return host;
    }

    private string MatchAddress(IPAddress address, List<ProtectedRule> matches)
    {
        var canonical = AddressPrefixTrie.Canonical(address);
        _ranges.Match(canonical, matches);
        return canonical.ToString();
    }

    private string? MatchUrl(string? url, List<ProtectedRule> matches)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }
        return uri.HostNameType switch
        {
            UriHostNameType.Dns => MatchHost(NormalizeHost(uri.IdnHost), matches),
            UriHostNameType.IPv4 or UriHostNameType.IPv6 when IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
                => MatchAddress(address, matches),
            _ => null,
        };
    }

    /// <summary>
    /// A CIDR range (or a bare address, as a single host) in canonical form, or an error for a person. IPv4 ranges must be
    /// written as IPv4, and host bits must be zero, so that what is stored is exactly what was meant.
    /// </summary>
    public static (IPNetwork? Range, string? Error) ParseRange(string? text, int minIPv4Prefix = 0, int minIPv6Prefix = 0)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 50 || !text.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':' or '/'))
        {
            return (null, "must be a CIDR range such as 203.0.113.0/24 or 2001:db8::/32, or a single address");
        }
        if (!text.Contains('/'))
        {
            if (!IPAddress.TryParse(text, out var single) || single.IsIPv4MappedToIPv6)
            {
                return (null, "must be an IPv4 or IPv6 address (an IPv4 address in IPv4 form)");
            }
            text = $"{single}/{(single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}";
        }
        // IPNetwork.TryParse silently clears host bits; 104.16.0.1/13 is refused rather than read as 104.16.0.0/13.
        if (!IPNetwork.TryParse(text, out var range) || !IPAddress.TryParse(text[..text.IndexOf('/')], out var written)
            || !written.Equals(range.BaseAddress))
        {
            return (null, "must be a CIDR range whose host bits are zero, such as 203.0.113.0/24");
        }
        if (range.BaseAddress.IsIPv4MappedToIPv6)
        {
            return (null, "an IPv4 range must be written in IPv4 form");
        }
        var minimum = range.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? minIPv4Prefix : minIPv6Prefix;
        if (range.PrefixLength < minimum)
        {
            return (null, $"must be a /{minimum} or narrower");
        }
        return (range, null);
    }
}
