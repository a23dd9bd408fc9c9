using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Reports;

/// <summary>Normalisation and checks of target values: DNS names, URLs and public unicast addresses.</summary>
internal static partial class Targets
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>Lower-case ASCII (punycode) form of a DNS name, or null if it is not a valid public host name.</summary>
    public static string? NormalizeDomain(string? value)
    {
        // Invisible and direction-changing characters (U+200B, U+202E, …) make a name look like another; IDNA mapping
        // would silently drop some of them, so a name holding any is refused rather than normalised.
        if (string.IsNullOrEmpty(value) || value.Length > 300 || value.Any(IsInvisibleOrControl))
        {
            return null;
        }

        var name = value.EndsWith('.') ? value[..^1] : value;
        string ascii;
        try
        {
            // Lower case first: with invariant globalization, IdnMapping does not case-fold non-ASCII letters (BÜCHER would
            // become another name than bücher).
            ascii = Idn.GetAscii(name.ToLowerInvariant()).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (ascii.Length > 253)
        {
            return null;
        }
        var labels = ascii.Split('.');
        if (labels.Length < 2 || labels.Any(label => !LabelPattern().IsMatch(label)) || labels[^1].All(char.IsAsciiDigit))
        {
            return null;
        }
        return ascii;
    }

    private static bool IsInvisibleOrControl(char c) => char.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse;

    /// <summary>The URL if it is an absolute http(s) URL without credentials whose host is a valid domain or public address.</summary>
    public static bool IsAcceptableUrl(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > ReportLimits.Url || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return false;
        }
        if (uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo) || value.Any(char.IsControl) || value.Contains(' '))
        {
            return false;
        }
        return uri.HostNameType switch
        {
            UriHostNameType.Dns => NormalizeDomain(uri.IdnHost) is not null,
            UriHostNameType.IPv4 or UriHostNameType.IPv6 => IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IsPublicUnicast(address),
            _ => false,
        };
    }

    /// <summary>A dotted-quad IPv4 address (no shorthand, octal or hex forms) that is public unicast.</summary>
    public static bool IsPublicIPv4(string? value) =>
        value is not null && DottedQuad().IsMatch(value) && IPAddress.TryParse(value, out var address)
        && address.AddressFamily == AddressFamily.InterNetwork && IsPublicUnicast(address);

    /// <summary>
    /// A bare IPv6 address (no brackets, port, prefix or zone id, which <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// would accept and drop) that is public unicast; an IPv4-mapped form is judged by its IPv4 address.
    /// </summary>
    public static bool IsPublicIPv6(string? value) =>
        value is not null && value.Length <= 45 && value.Contains(':') && value.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
        && IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 && IsPublicUnicast(address);

    /// <summary>
    /// False for unspecified, loopback, private (RFC 1918), CGNAT, link-local, multicast, broadcast, reserved, "this network",
    /// unique-local, site-local, and the IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms of those.
    /// </summary>
    public static bool IsPublicUnicast(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return IsPublicUnicast(address.MapToIPv4());
            }
            var bytes = address.GetAddressBytes();
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback) || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
            {
                return false;
            }
            if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            {
                return false; // ::/96, IPv4-compatible (deprecated) and the unspecified/loopback neighbourhood
            }
            if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b)
            {
                return IsPublicUnicast(new IPAddress(bytes.AsSpan(12, 4))); // NAT64 64:ff9b::/96
            }
            if (bytes[0] == 0x20 && bytes[1] == 0x02)
            {
                return IsPublicUnicast(new IPAddress(bytes.AsSpan(2, 4))); // 6to4 2002::/16
            }
            return (bytes[0] & 0xE0) == 0x20; // global unicast 2000::/3
        }

        var b = address.GetAddressBytes();
        return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                 || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                 || (b[0] == 169 && b[1] == 254)
                 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                 || (b[0] == 192 && b[1] == 168)
                 || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                 || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();
}
