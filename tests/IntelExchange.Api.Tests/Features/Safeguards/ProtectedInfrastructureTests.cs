using System.Net;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>The matcher over the lists as shipped: suffix and CIDR edge cases, without a server.</summary>
public sealed class ProtectedInfrastructureTests
{
    private static readonly IReadOnlyList<ShippedList> Shipped = ShippedLists.Load(ShippedLists.DefaultFolder);

    private static ProtectedInfrastructure Lists(params ProtectedRule[] additions) =>
        new(1, Shipped.SelectMany(l => l.Rules).Concat(additions));

    private static ReportTarget Target(string type, string value) => type switch
    {
        "domain" => new ReportTarget { Type = TargetType.Domain, Value = value },
        "url" => new ReportTarget { Type = TargetType.Url, Value = value },
        "ipv4" => new ReportTarget { Type = TargetType.Ipv4, Value = value },
        "ipv6" => new ReportTarget { Type = TargetType.Ipv6, Value = value },
        "desktop_app" => new ReportTarget { Type = TargetType.DesktopApp, Name = "Setup", DownloadUrl = value },
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    [Theory]
    [InlineData("domain", "google.com", "domain_suffix:google.com")]
    [InlineData("domain", "drive.usercontent.google.com", "domain_suffix:google.com")]
    [InlineData("domain", "DRIVE.Google.COM", "domain_suffix:google.com")]
    [InlineData("domain", "drive.google.com.", "domain_suffix:google.com")]
    [InlineData("domain", "ドライブ.google.com", "domain_suffix:google.com")]
    [InlineData("domain", "doc-0s-8c-docs.googleusercontent.com", "domain_suffix:googleusercontent.com")]
    [InlineData("domain", "pirate.github.io", "domain_suffix:github.io")]
    [InlineData("url", "https://DRIVE.google.com./file/d/abc/view", "domain_suffix:google.com")]
    [InlineData("url", "https://www.youtube.com/watch?v=x", "domain_suffix:youtube.com")]
    [InlineData("url", "https://104.16.0.1/stream", "cidr:104.16.0.0/13")]
    [InlineData("url", "https://[2606:4700::6810:1]/stream", "cidr:2606:4700::/32")]
    [InlineData("url", "http://[::ffff:151.101.1.1]/", "cidr:151.101.0.0/16")]
    [InlineData("ipv4", "104.16.0.0", "cidr:104.16.0.0/13")]
    [InlineData("ipv4", "104.23.255.255", "cidr:104.16.0.0/13")]
    [InlineData("ipv4", "104.24.0.1", "cidr:104.24.0.0/14")]
    [InlineData("ipv4", "8.8.8.8", "cidr:8.8.8.0/24")]
    [InlineData("ipv4", "13.32.10.20", "cidr:13.32.0.0/15")]
    [InlineData("ipv4", "23.40.1.1", "cidr:23.32.0.0/11")]
    [InlineData("ipv4", "52.112.0.1", "cidr:52.112.0.0/14")]
    [InlineData("ipv6", "2606:4700::1111", "cidr:2606:4700::/32")]
    [InlineData("ipv6", "2A04:4E42:0:0:0:0:0:1", "cidr:2a04:4e42::/32")]
    [InlineData("ipv6", "::ffff:104.16.0.1", "cidr:104.16.0.0/13")]
    [InlineData("ipv6", "::FFFF:8.8.4.4", "cidr:8.8.4.0/24")]
    [InlineData("ipv6", "2600:9000:2000::1", "cidr:2600:9000::/28")]
    [InlineData("desktop_app", "https://github.com/ripper/releases/download/setup.exe", "domain_suffix:github.com")]
    public void Flags_a_target_on_protected_infrastructure(string type, string value, string rule)
    {
        var flags = Lists().Check(Target(type, value));

        var flag = Assert.Single(flags);
        Assert.Equal("protected_infrastructure", flag.Code);
        Assert.Equal(rule, flag.Rule);
        Assert.False(string.IsNullOrWhiteSpace(flag.Detail));
    }

    [Theory]
    [InlineData("domain", "notgoogle.com")]
    [InlineData("domain", "google.com.evil.example")]
    [InlineData("domain", "googlecom.example")]
    [InlineData("domain", "y2mate.example")]
    [InlineData("domain", "github.io.example")]
    [InlineData("url", "https://notgoogle.com/google.com")]
    [InlineData("url", "https://evil.example/?u=https://drive.google.com")]
    [InlineData("ipv4", "104.15.255.255")]
    [InlineData("ipv4", "104.28.0.0")]
    [InlineData("ipv4", "203.0.113.7")]
    [InlineData("ipv6", "2606:4701::1")]
    [InlineData("ipv6", "2001:db8::7")]
    [InlineData("ipv6", "::ffff:203.0.113.7")]
    [InlineData("desktop_app", "https://ripper.example/setup.exe")]
    public void Leaves_a_target_off_protected_infrastructure_unflagged(string type, string value) =>
        Assert.Empty(Lists().Check(Target(type, value)));

    [Fact]
    public void An_IDN_suffix_added_by_the_operator_protects_every_spelling_of_names_under_it()
    {
        var suffix = ProtectedInfrastructure.NormalizeHost("Bücher.example")!;
        var lists = Lists(new ProtectedRule(ProtectedEntryKind.Domain, suffix, "Bookshop", ProtectedLists.OperatorList));

        Assert.Equal("xn--bcher-kva.example", suffix);
        Assert.Equal("domain_suffix:xn--bcher-kva.example", Assert.Single(lists.Check(Target("domain", "www.BÜCHER.example."))).Rule);
        Assert.Single(lists.Check(Target("domain", "shop.xn--bcher-kva.example")));
        Assert.Single(lists.Check(Target("url", "https://www.bücher.example/")));
        Assert.Empty(lists.Check(Target("domain", "bucher.example")));
    }

    [Fact]
    public void A_target_under_two_protected_entries_carries_both_flags_widest_first()
    {
        var lists = Lists(
            new ProtectedRule(ProtectedEntryKind.Domain, "usercontent.google.com", "Drive downloads", ProtectedLists.OperatorList),
            new ProtectedRule(ProtectedEntryKind.Cidr, "104.16.1.0/24", "A Cloudflare customer", ProtectedLists.OperatorList));

        Assert.Equal(["domain_suffix:google.com", "domain_suffix:usercontent.google.com"],
            lists.Check(Target("domain", "drive.usercontent.google.com")).Select(f => f.Rule));
        Assert.Equal(["cidr:104.16.0.0/13", "cidr:104.16.1.0/24"], lists.Check(Target("ipv4", "104.16.1.9")).Select(f => f.Rule));
    }

    [Fact]
    public void A_mobile_app_is_never_flagged_by_address_or_name_lists()
    {
        var app = new ReportTarget { Type = TargetType.MobileApp, Store = AppStore.GooglePlay, AppId = "com.google.android.youtube", Name = "YouTube" };

        Assert.Empty(Lists().Check(app));
    }

    [Theory]
    [InlineData("203.0.113.0/24", "203.0.113.0/24")]
    [InlineData("203.0.113.9", "203.0.113.9/32")]
    [InlineData("2001:DB8::/32", "2001:db8::/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    public void Parses_a_range_or_a_single_address_into_canonical_form(string text, string canonical)
    {
        var (range, error) = ProtectedInfrastructure.ParseRange(text);

        Assert.Null(error);
        Assert.Equal(canonical, range!.Value.ToString());
    }

    [Theory]
    [InlineData("104.16.0.1/13")]
    [InlineData("::ffff:104.16.0.0/109")]
    [InlineData("::ffff:104.16.0.1")]
    [InlineData("104.16.0.0/33")]
    [InlineData("google.com")]
    [InlineData("10.0.0.0/8 ")]
    [InlineData("")]
    public void Refuses_a_range_that_is_not_exactly_what_it_says(string text) =>
        Assert.NotNull(ProtectedInfrastructure.ParseRange(text).Error);

    [Fact]
    public void Refuses_a_range_wider_than_the_minimum()
    {
        Assert.NotNull(ProtectedInfrastructure.ParseRange("104.0.0.0/7", minIPv4Prefix: 8).Error);
        Assert.NotNull(ProtectedInfrastructure.ParseRange("2000::/15", minIPv6Prefix: 16).Error);
        Assert.Null(ProtectedInfrastructure.ParseRange("104.0.0.0/8", minIPv4Prefix: 8).Error);
    }

    [Fact]
    public void The_shipped_lists_cover_the_providers_and_platforms_the_design_names_with_their_sources()
    {
        var owners = Shipped.Select(l => l.Owner).ToList();
        foreach (var provider in new[] { "Cloudflare", "Akamai", "Fastly", "Google", "Amazon CloudFront", "Microsoft" })
        {
            var list = Shipped.Single(l => l.Owner == provider);
            Assert.Contains(list.Rules, r => r.Kind == ProtectedEntryKind.Cidr && r.Value.Contains('.'));
            Assert.StartsWith("http", list.Source.Split(' ').First(s => s.StartsWith("http", StringComparison.Ordinal)));
        }
        Assert.Contains(Shipped.SelectMany(l => l.Rules), r => r.Kind == ProtectedEntryKind.Cidr && r.Value.Contains(':'));

        var lists = Lists();
        foreach (var platform in new[] { "google.com", "googleusercontent.com", "youtube.com", "cloudflare.com", "amazonaws.com",
                     "microsoft.com", "apple.com", "github.com", "facebook.com" })
        {
            Assert.Contains(lists.MatchHost(platform), r => r.Value == platform);
        }
        Assert.True(lists.RangeCount > 150, $"only {lists.RangeCount} ranges shipped");
    }

    [Fact]
    public void A_malformed_data_file_stops_the_exchange_naming_the_file_and_line()
    {
        var folder = Directory.CreateTempSubdirectory("intelx-lists-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "broken.cidr.txt"), "# owner: Example\n# source: https://example.test/ips\n104.16.0.1/13\n");

            var error = Assert.Throws<InvalidOperationException>(() => ShippedLists.Load(folder.FullName));

            Assert.Contains("broken.cidr.txt:3", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_data_file_without_its_source_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("intelx-lists-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "nosource.domains.txt"), "example.com Example\n");

            Assert.Contains("source", Assert.Throws<InvalidOperationException>(() => ShippedLists.Load(folder.FullName)).Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_address_lookup_normalises_IPv4_mapped_IPv6_to_IPv4()
    {
        var rules = Lists().MatchAddress(IPAddress.Parse("::ffff:172.64.1.1"));

        Assert.Equal("cidr:172.64.0.0/13", Assert.Single(rules).RuleId);
    }
}
