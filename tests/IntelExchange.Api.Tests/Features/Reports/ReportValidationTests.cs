using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Features.Reports;

/// <summary>
/// Each family of report validation, through real mTLS with a valid signature, so the body is the only thing wrong.
/// A refusal names the JSON path it objects to and stores nothing.
/// </summary>
public sealed class ReportValidationTests : IClassFixture<SqliteExchange>, IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;

    public ReportValidationTests(SqliteExchange fixture)
    {
        _server = fixture.Server;
        _ifpi = new Partner(_server, "ifpi");
    }

    public void Dispose() => _ifpi.Dispose();

    private async Task AcceptedAsync(byte[] body)
    {
        using var response = await _ifpi.SubmitAsync(body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    private Task<JsonElement> RefusedAsync(ProblemKind kind, byte[] body, string contentType = "application/json") =>
        ProblemAssert.RefusedWithoutStoringAsync(_server, kind, () => _ifpi.SubmitAsync(body, contentType: contentType));

    private async Task InvalidAtAsync(byte[] body, string path)
    {
        var problem = await RefusedAsync(Problems.ValidationFailed, body);
        Assert.Contains(path, ProblemAssert.ErrorPaths(problem));
        Assert.All(problem.GetProperty("errors").GetProperty(path).EnumerateArray(), m => Assert.False(string.IsNullOrWhiteSpace(m.GetString())));
    }

    private async Task MalformedAsync(byte[] body, string? pathInDetail = null, string? reason = null)
    {
        var problem = await RefusedAsync(Problems.MalformedJson, body);
        var detail = problem.GetProperty("detail").GetString();
        if (pathInDetail is not null)
        {
            Assert.EndsWith(" at " + pathInDetail, detail, StringComparison.Ordinal);
        }
        if (reason is not null)
        {
            Assert.StartsWith(reason + " at ", detail, StringComparison.Ordinal);
        }
    }

    private static JsonObject App(string type, Action<JsonObject> fill)
    {
        var target = new JsonObject { ["type"] = type };
        fill(target);
        return target;
    }

    private static string Repeat(int length) => new('x', length);

    // Domains

    [Theory]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("y2mate.example.", "y2mate.example")]
    [InlineData("Y2MATE.Example", "y2mate.example")]
    [InlineData("stream-1.live.example", "stream-1.live.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    public async Task Accepts_a_domain_in_unicode_or_ascii_form_and_normalises_it_to_lower_case_punycode(string value, string normalised)
    {
        await AcceptedAsync(ReportBodies.WithTarget("domain", value));

        Assert.Equal(normalised, Targets.NormalizeDomain(value));
    }

    [Fact]
    public async Task Accepts_a_domain_of_253_characters_with_labels_of_63()
    {
        var name = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));
        Assert.Equal(253, name.Length);

        await AcceptedAsync(ReportBodies.WithTarget("domain", name));
    }

    [Theory]
    [InlineData("254 characters")]
    [InlineData("label of 64")]
    [InlineData("-leading.example")]
    [InlineData("trailing-.example")]
    [InlineData("under_score.example")]
    [InlineData("double..dot.example")]
    [InlineData(".example")]
    [InlineData("localhost")]
    [InlineData("example")]
    [InlineData("203.0.113.7")]
    [InlineData("y2mate.example/path")]
    [InlineData("y2 mate.example")]
    [InlineData("*.y2mate.example")]
    [InlineData("")]
    public async Task Refuses_a_domain_that_is_too_long_has_a_bad_label_or_only_one_label(string value)
    {
        value = value switch
        {
            "254 characters" => string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 62)),
            "label of 64" => new string('a', 64) + ".example",
            _ => value,
        };

        await InvalidAtAsync(ReportBodies.WithTarget("domain", value), "targets[0].value");
    }

    // URLs

    [Theory]
    [InlineData("https://y2mate.example/es/youtube-mp3")]
    [InlineData("http://203.0.113.7:8080/live")]
    [InlineData("https://[2001:db8::7]/stream")]
    [InlineData("https://bücher.example/buch")]
    [InlineData("HTTPS://Y2MATE.EXAMPLE/")]
    public async Task Accepts_an_http_or_https_url_on_a_public_host(string value) =>
        await AcceptedAsync(ReportBodies.WithTarget("url", value));

    [Theory]
    [InlineData("ftp://y2mate.example/file.mp3")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("//y2mate.example/relative")]
    [InlineData("/relative/path")]
    [InlineData("https://user:secret@y2mate.example/")]
    [InlineData("https://user@y2mate.example/")]
    [InlineData("http://10.0.0.1/admin")]
    [InlineData("http://192.168.1.1/")]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[::ffff:10.0.0.1]/")]
    [InlineData("http://localhost/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://2130706433/")]
    [InlineData("https://y2mate.example/has space")]
    public async Task Refuses_a_url_that_is_not_http_carries_credentials_or_names_a_private_host(string value) =>
        await InvalidAtAsync(ReportBodies.WithTarget("url", value), "targets[0].value");

    // IP addresses

    [Theory]
    [InlineData("ipv4", "203.0.113.7")]
    [InlineData("ipv4", "8.8.8.8")]
    [InlineData("ipv4", "172.32.0.1")]
    [InlineData("ipv4", "100.63.255.255")]
    [InlineData("ipv4", "100.128.0.1")]
    [InlineData("ipv6", "2001:db8::7")]
    [InlineData("ipv6", "2001:DB8::7")]
    [InlineData("ipv6", "2a01:4f8::1")]
    public async Task Accepts_a_public_unicast_address(string type, string value) =>
        await AcceptedAsync(ReportBodies.WithTarget(type, value));

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("198.18.0.1")]
    public async Task Refuses_an_ipv4_address_that_is_not_public_unicast(string value) =>
        await InvalidAtAsync(ReportBodies.WithTarget("ipv4", value), "targets[0].value");

    [Theory]
    [InlineData("010.0.0.1")]
    [InlineData("0177.0.0.1")]
    [InlineData("0313.0.113.7")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("0xcb.0.113.7")]
    [InlineData("127.1")]
    [InlineData("203.113.7")]
    [InlineData("3405803783")]
    [InlineData(" 203.0.113.7")]
    [InlineData("203.0.113.7 ")]
    [InlineData("203.0.113.256")]
    [InlineData("203.0.113.7/32")]
    [InlineData("\u0663.0.113.7")]
    [InlineData("2001:db8::7")]
    public async Task Refuses_an_ipv4_address_that_is_not_in_plain_dotted_quad_form(string value) =>
        await InvalidAtAsync(ReportBodies.WithTarget("ipv4", value), "targets[0].value");

    [Theory]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fec0::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("ff0e::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::10.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:a00:1::1")]
    [InlineData("[2001:db8::7]")]
    [InlineData("[2001:db8::7]:443")]
    [InlineData("2001:db8::7/64")]
    [InlineData(" 2001:db8::7")]
    [InlineData("203.0.113.7")]
    public async Task Refuses_an_ipv6_address_that_is_not_public_unicast(string value) =>
        await InvalidAtAsync(ReportBodies.WithTarget("ipv6", value), "targets[0].value");

    // Apps and members that do not belong to a target type

    [Fact]
    public async Task Refuses_app_members_on_a_domain_target() =>
        await InvalidAtAsync(ReportBodies.WithTargets(App("domain", t => { t["value"] = "y2mate.example"; t["appId"] = "com.example"; })),
            "targets[0].appId");

    [Fact]
    public async Task Refuses_a_mobile_app_without_a_store() =>
        await InvalidAtAsync(ReportBodies.WithTargets(App("mobile_app", t => t["appId"] = "com.example.ripper")), "targets[0].store");

    [Fact]
    public async Task Refuses_a_mobile_app_with_a_value() =>
        await InvalidAtAsync(ReportBodies.WithTargets(App("mobile_app", t =>
        {
            t["store"] = "google_play";
            t["appId"] = "com.example.ripper";
            t["value"] = "y2mate.example";
        })), "targets[0].value");

    [Fact]
    public async Task Refuses_a_mobile_app_id_with_spaces() =>
        await InvalidAtAsync(ReportBodies.WithTargets(App("mobile_app", t => { t["store"] = "apple_app_store"; t["appId"] = "com example"; })),
            "targets[0].appId");

    [Fact]
    public async Task Refuses_a_desktop_app_without_a_name() =>
        await InvalidAtAsync(ReportBodies.WithTargets(App("desktop_app", t => t["downloadUrl"] = "https://ripper.example/setup.exe")),
            "targets[0].name");

    // ISRC and SHA-256

    [Theory]
    [InlineData("PEA012300001")]
    [InlineData("GBAYE0000351")]
    public async Task Accepts_a_twelve_character_isrc(string isrc) =>
        await AcceptedAsync(ReportBodies.WithValue("works[0].isrc", isrc));

    [Theory]
    [InlineData("PEA01230000")]
    [InlineData("PEA0123000011")]
    [InlineData("pea012300001")]
    [InlineData("PE-A01-23-00001")]
    [InlineData("PEA01230000X")]
    [InlineData("1EA012300001")]
    [InlineData("")]
    public async Task Refuses_an_isrc_that_is_not_twelve_characters_of_the_iso_3901_form(string isrc) =>
        await InvalidAtAsync(ReportBodies.WithValue("works[0].isrc", isrc), "works[0].isrc");

    [Fact]
    public async Task Accepts_a_sha256_in_upper_case_hex() =>
        await AcceptedAsync(ReportBodies.WithValue("evidence[0].sha256", new string('F', 64)));

    [Theory]
    [InlineData(63, 'a')]
    [InlineData(65, 'a')]
    [InlineData(64, 'g')]
    [InlineData(0, 'a')]
    public async Task Refuses_an_evidence_sha256_that_is_not_64_hex_characters(int length, char digit) =>
        await InvalidAtAsync(ReportBodies.WithValue("evidence[0].sha256", new string(digit, length)), "evidence[0].sha256");

    [Fact]
    public async Task Refuses_a_desktop_app_sha256_that_is_not_64_hex_characters() =>
        await InvalidAtAsync(ReportBodies.WithValue("targets[5].sha256", new string('b', 63)), "targets[5].sha256");

    // Times

    [Fact]
    public async Task Refuses_an_observation_in_the_future() =>
        await InvalidAtAsync(ReportBodies.WithValue("observedAt", DateTimeOffset.UtcNow.AddHours(1).ToString("O")), "observedAt");

    [Fact]
    public async Task Refuses_an_observation_before_2000() =>
        await InvalidAtAsync(ReportBodies.WithValue("observedAt", "1999-12-31T23:59:59Z"), "observedAt");

    [Theory]
    [InlineData("observedAt", "2026-11-20T10:00:00")]
    [InlineData("observedAt", "2026-11-20")]
    [InlineData("observedAt", "2026-11-20 10:00:00Z")]
    [InlineData("evidence[0].capturedAt", "2026-11-20T09:58:00")]
    public async Task Refuses_a_time_without_a_utc_offset_because_it_would_name_no_single_instant(string path, string value) =>
        await MalformedAsync(ReportBodies.WithValue(path, value), "$." + path);

    [Theory]
    [InlineData("2026-11-20T10:00:00Z")]
    [InlineData("2026-11-20T05:00:00-05:00")]
    [InlineData("2026-11-20T10:00:00.123456Z")]
    public async Task Accepts_an_rfc_3339_time_with_an_offset(string value) =>
        await AcceptedAsync(ReportBodies.WithValue("observedAt", value));

    [Fact]
    public async Task Refuses_evidence_captured_in_the_future() =>
        await InvalidAtAsync(ReportBodies.WithValue("evidence[0].capturedAt", DateTimeOffset.UtcNow.AddDays(1).ToString("O")), "evidence[0].capturedAt");

    [Fact]
    public async Task Accepts_a_live_event_that_ends_after_it_starts() =>
        await AcceptedAsync(ReportBodies.WithValue("liveEvent", LiveEvent("2026-11-22T20:00:00Z", "2026-11-22T22:00:00Z")));

    [Theory]
    [InlineData("2026-11-22T22:00:00Z", "2026-11-22T20:00:00Z")]
    [InlineData("2026-11-22T20:00:00Z", "2026-11-22T20:00:00Z")]
    [InlineData("2026-11-22T20:00:00Z", "2027-01-22T20:00:00Z")]
    public async Task Refuses_a_live_event_that_ends_before_it_starts_or_lasts_over_a_month(string startsAt, string endsAt) =>
        await InvalidAtAsync(ReportBodies.WithValue("liveEvent", LiveEvent(startsAt, endsAt)), "liveEvent.endsAt");

    private static JsonObject LiveEvent(string startsAt, string endsAt) => new()
    {
        ["name"] = "Alianza Lima vs Universitario", ["competition"] = "Liga 1", ["startsAt"] = startsAt, ["endsAt"] = endsAt,
    };

    // Counts and lengths

    [Fact]
    public async Task Refuses_a_report_without_targets() =>
        await InvalidAtAsync(ReportBodies.WithTargets(), "targets");

    [Fact]
    public async Task Refuses_a_report_with_1001_targets() =>
        await InvalidAtAsync(ReportBodies.WithTargets(ManyDomains(1001)), "targets");

    [Fact]
    public async Task Accepts_a_report_with_1000_targets() =>
        await AcceptedAsync(ReportBodies.WithTargets(ManyDomains(1000)));

    private static JsonObject[] ManyDomains(int count) =>
        Enumerable.Range(0, count).Select(i => ReportBodies.Target("domain", $"mirror-{i}.y2mate.example")).ToArray();

    [Theory]
    [InlineData("targets", "targets[6]")]
    [InlineData("works", "works[1]")]
    [InlineData("evidence", "evidence[1]")]
    [InlineData("shareWith", "shareWith[1]")]
    public async Task Refuses_a_null_item_in_a_list(string list, string path) =>
        await InvalidAtAsync(ReportBodies.With(r => r[list]!.AsArray().Add(null)), path);

    [Theory]
    [InlineData("externalId", 101)]
    [InlineData("legalBasis.mouReference", 201)]
    [InlineData("legalBasis.orderReference", 201)]
    [InlineData("works[0].title", 301)]
    [InlineData("works[0].artist", 301)]
    [InlineData("works[0].rightsHolder", 301)]
    [InlineData("evidence[0].description", 2001)]
    [InlineData("notes", 4001)]
    public async Task Refuses_a_string_longer_than_its_limit(string path, int length) =>
        await InvalidAtAsync(ReportBodies.WithValue(path, Repeat(length)), path);

    [Theory]
    [InlineData("externalId", 100)]
    [InlineData("legalBasis.mouReference", 200)]
    [InlineData("works[0].title", 300)]
    [InlineData("notes", 4000)]
    public async Task Accepts_a_string_at_its_limit(string path, int length) =>
        await AcceptedAsync(ReportBodies.WithValue(path, Repeat(length)));

    [Fact]
    public async Task Refuses_an_app_name_longer_than_200_characters() =>
        await InvalidAtAsync(ReportBodies.WithValue("targets[4].name", Repeat(201)), "targets[4].name");

    [Theory]
    [InlineData("externalId", "IFPI\u0000PE")]
    [InlineData("legalBasis.mouReference", "MOU\nINDECOPI")]
    [InlineData("notes", "bell\u0007")]
    public async Task Refuses_control_characters_in_text(string path, string value) =>
        await InvalidAtAsync(ReportBodies.WithValue(path, value), path);

    [Fact]
    public async Task Refuses_an_empty_share_with_list() =>
        await InvalidAtAsync(ReportBodies.WithValue("shareWith", new JsonArray()), "shareWith");

    [Fact]
    public async Task Refuses_a_recipient_named_twice() =>
        await InvalidAtAsync(ReportBodies.WithValue("shareWith", new JsonArray("indecopi", "indecopi")), "shareWith");

    [Fact]
    public async Task Refuses_a_recipient_that_is_not_a_tenant_id() =>
        await InvalidAtAsync(ReportBodies.WithValue("shareWith", new JsonArray("INDECOPI")), "shareWith[0]");

    // JSON shape

    [Theory]
    [InlineData("category", "piracy")]
    [InlineData("requestedAction", "takedown")]
    [InlineData("tlp", "white")]
    [InlineData("tlp", "AMBER")]
    public async Task Refuses_a_value_outside_an_enumeration(string member, string value) =>
        await MalformedAsync(ReportBodies.WithValue(member, value), "$." + member);

    [Theory]
    [InlineData("category")]
    [InlineData("tlp")]
    public async Task Refuses_an_enumeration_given_as_an_integer(string member) =>
        await MalformedAsync(ReportBodies.WithValue(member, 0), "$." + member);

    [Fact]
    public async Task Refuses_a_target_type_outside_the_enumeration() =>
        await MalformedAsync(ReportBodies.WithTarget("email", "admin@y2mate.example"), "$.targets[0].type");

    [Fact]
    public async Task Refuses_an_unknown_property_so_a_body_can_never_name_its_submitter() =>
        await MalformedAsync(ReportBodies.WithValue("submitter", "indecopi"), "$.submitter", "unknown property");

    [Fact]
    public async Task Refuses_an_unknown_property_inside_a_target() =>
        await MalformedAsync(ReportBodies.WithValue("targets[0].port", 443), "$.targets[0].port", "unknown property");

    [Fact]
    public async Task Refuses_a_duplicate_property() =>
        await MalformedAsync(Encoding.UTF8.GetBytes(SampleReports.Json().Replace("\"tlp\": \"amber\"", "\"tlp\": \"amber\", \"tlp\": \"clear\"", StringComparison.Ordinal)), "$.tlp", "duplicate property");

    [Fact]
    public async Task Refuses_a_missing_required_property() =>
        await MalformedAsync(ReportBodies.With(r => r.Remove("targets")), "$", "missing required property");

    [Fact]
    public async Task Refuses_null_for_a_required_property() =>
        await MalformedAsync(ReportBodies.WithValue("externalId", null), "$.externalId", "null is not allowed");

    [Fact]
    public async Task Refuses_a_number_given_as_a_string_where_a_string_is_expected() =>
        await MalformedAsync(ReportBodies.WithValue("externalId", 123), "$.externalId");

    [Theory]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"report\"")]
    [InlineData("{\"externalId\": \"x\",}")]
    [InlineData("{/* comment */}")]
    public async Task Refuses_a_body_that_is_not_a_json_object(string body) =>
        await MalformedAsync(Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task Refuses_a_body_that_is_not_utf8() =>
        await MalformedAsync([.. Encoding.UTF8.GetBytes("{\"externalId\": \""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);

    [Fact]
    public async Task Refuses_nesting_deeper_than_the_limit() =>
        await MalformedAsync(ReportBodies.WithValue("targets[0].value", JsonNode.Parse(new string('[', 20) + new string(']', 20))));

    // Media type and size

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/json;charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    public async Task Accepts_json_with_or_without_a_utf8_charset(string contentType)
    {
        var body = SampleReports.Bytes(SampleReports.Json());

        using var response = await _ifpi.SubmitAsync(body, contentType: contentType);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/jose")]
    public async Task Refuses_a_body_that_is_not_declared_as_json_with_415(string contentType) =>
        await RefusedAsync(Problems.UnsupportedMediaType, SampleReports.Bytes(SampleReports.Json()), contentType);

    [Fact]
    public async Task Refuses_a_body_without_a_content_type_with_415()
    {
        var body = SampleReports.Bytes(SampleReports.Json());

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.UnsupportedMediaType,
            () => _ifpi.PostRawAsync(body, _ifpi.Sign(body), Guid.NewGuid().ToString(), contentType: null));
    }

    [Fact]
    public async Task Accepts_a_body_of_exactly_one_mebibyte() =>
        await AcceptedAsync(PaddedTo(1024 * 1024));

    [Fact]
    public async Task Refuses_a_body_over_one_mebibyte_with_413() =>
        await RefusedAsync(Problems.PayloadTooLarge, PaddedTo(1024 * 1024 + 1));

    [Fact]
    public async Task Refuses_a_chunked_body_over_one_mebibyte_with_413()
    {
        var before = StoredRows.Count(_server);
        try
        {
            using var response = await _ifpi.PostChunkedAsync(PaddedTo(4 * 1024 * 1024));
            await ProblemAssert.IsProblemAsync(response, Problems.PayloadTooLarge);
        }
        catch (HttpRequestException exception) when (exception.InnerException is IOException)
        {
            // The exchange answered 413 and closed the connection while this client was still writing the rest: the
            // refusal was sent, the client's write simply lost the race with the close (seen under load).
        }
        Assert.Equal(before, StoredRows.Count(_server));
    }

    /// <summary>A valid report followed by JSON whitespace up to the exact size.</summary>
    private static byte[] PaddedTo(int size)
    {
        var report = SampleReports.Bytes(SampleReports.Json());
        var body = new byte[size];
        report.CopyTo(body, 0);
        body.AsSpan(report.Length).Fill((byte)' ');
        return body;
    }
}
