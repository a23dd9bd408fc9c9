using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Hostile;

/// <summary>What a hostile request may use: the exchange, two reporters and an agency.</summary>
public sealed class HostileContext(ExchangeServer server) : IDisposable
{
    public ExchangeServer Server { get; } = server;
    public Partner Ifpi { get; } = new(server, "ifpi");
    public Partner EsMcd { get; } = new(server, "es-mcd");
    public Partner Indecopi { get; } = new(server, "indecopi");

    public void Dispose()
    {
        Ifpi.Dispose();
        EsMcd.Dispose();
        Indecopi.Dispose();
    }
}

/// <summary>
/// One hostile request. <see cref="Setup"/> runs before the stored rows are counted (for attacks that need a prior
/// legitimate request); <see cref="Send"/> is the attack. <see cref="ServerLevel"/> marks refusals that Kestrel itself
/// makes before any endpoint runs (oversized headers or request line), which carry no problem body.
/// </summary>
public sealed record HostileRequest(
    string Name, Func<HostileContext, Task<HttpResponseMessage>> Send, Func<HostileContext, Task>? Setup = null, bool ServerLevel = false)
{
    public override string ToString() => Name;
}

/// <summary>
/// The hostile-input corpus: malformed and truncated JSON, deep nesting, huge bodies and headers, a slow body, wrong
/// content types, every field invalid in turn, injection strings in format-checked fields, confusable and oversized
/// domains, JWS attacks, idempotency abuse, forged cursors and path tricks. Every one must be refused with a 4xx
/// problem (or by the server before any endpoint runs), never a 5xx, and store nothing.
/// </summary>
public static class HostileCorpus
{
    private static readonly string[] Injections =
    [
        "' OR '1'='1' --", "\"; DROP TABLE \"Reports\"; --", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}",
        "{{7*7}}", "../../../../etc/passwd", "a\u0000b", "line\r\nX-Injected: 1", "%00%0d%0a", "$(id)", "`id`", "\u202Egnp.exe",
    ];

    // After Injections: static fields initialise in order.
    public static readonly IReadOnlyList<HostileRequest> All = Build();

    private static List<HostileRequest> Build()
    {
        var corpus = new List<HostileRequest>();
        corpus.AddRange(MalformedJson());
        corpus.AddRange(SizesAndTransport());
        corpus.AddRange(ContentTypes());
        corpus.AddRange(InvalidFields());
        corpus.AddRange(InjectionInCheckedFields());
        corpus.AddRange(Domains());
        corpus.AddRange(JwsAttacks());
        corpus.AddRange(IdempotencyAbuse());
        corpus.AddRange(CursorsAndQueries());
        corpus.AddRange(PathsAndMethods());
        return corpus;
    }

    // ---- building blocks

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static JsonObject Report() => JsonNode.Parse(SampleReports.Json())!.AsObject();

    /// <summary>The sample report with one change, serialised.</summary>
    private static byte[] Mutated(Action<JsonObject> change)
    {
        var report = Report();
        change(report);
        return Utf8(report.ToJsonString());
    }

    private static JsonObject Target(JsonObject report, int index) => report["targets"]![index]!.AsObject();

    /// <summary>A correctly signed submission of <paramref name="body"/> by ifpi: only the body is hostile.</summary>
    private static HostileRequest SignedBody(string name, Func<byte[]> body) =>
        new(name, context => context.Ifpi.SubmitAsync(body()));

    private static HostileRequest Field(string name, Action<JsonObject> change) => SignedBody("field: " + name, () => Mutated(change));

    /// <summary>A valid body with a hand-made X-JWS-Signature.</summary>
    private static HostileRequest Signature(string name, Func<HostileContext, byte[], string> sign) =>
        new("jws: " + name, context =>
        {
            var body = SampleReports.Bytes(SampleReports.Json());
            return context.Ifpi.SubmitAsync(body, signature: sign(context, body));
        });

    private static HostileRequest Get(string name, Func<HostileContext, Partner> who, string path) =>
        new(name, context => who(context).Http.GetAsync(path));

    // ---- the families

    private static IEnumerable<HostileRequest> MalformedJson()
    {
        var valid = SampleReports.Json();
        string[] texts =
        [
            "", " ", "{", "}", "[]", "null", "true", "42", "\"a report\"", valid[..(valid.Length / 2)], valid[..^1], valid + "x",
            valid + valid, "{\"externalId\":}", "{'externalId':'x'}", "{\"externalId\":\"x\",}", "/* c */" + valid,
            valid.Replace("\"amber\"", "amber", StringComparison.Ordinal), valid.Replace("\"block\"", "NaN", StringComparison.Ordinal),
            "{\"externalId\":\"unterminated}", "\uFEFF\uFEFF" + valid,
        ];
        for (var i = 0; i < texts.Length; i++)
        {
            var text = texts[i];
            yield return SignedBody($"json: malformed #{i} ({Describe(text)})", () => Utf8(text));
        }
        yield return SignedBody("json: invalid UTF-8 bytes", () => [.. Utf8("{\"externalId\":\""), 0xC3, 0x28, 0xFF, .. Utf8("\"}")]);
        yield return SignedBody("json: UTF-16 body", () => Encoding.Unicode.GetBytes(valid));
        yield return SignedBody("json: duplicate property", () => Utf8(valid.Replace("\"tlp\": \"amber\",", "\"tlp\": \"amber\", \"tlp\": \"red\",", StringComparison.Ordinal)));
        yield return SignedBody("json: duplicate property in a target", () => Utf8(valid.Replace(
            "{ \"type\": \"domain\", \"value\": \"y2mate.example\" }", "{ \"type\": \"domain\", \"value\": \"y2mate.example\", \"value\": \"google.com\" }", StringComparison.Ordinal)));
        yield return Field("unknown top-level property", r => r["isAdmin"] = true);
        yield return Field("unknown property in a target", r => Target(r, 0)["blockAll"] = true);
        yield return Field("tenant named in the body", r => r["tenant"] = "indecopi");
        yield return SignedBody("json: nesting 10,000 deep", () => Utf8(valid.Replace("\"Seen on 2026-11-20\"", new string('[', 10_000) + new string(']', 10_000), StringComparison.Ordinal)));
        yield return SignedBody("json: nesting 70 deep in an unknown member", () => Utf8(valid[..^1] + ",\"x\":" + new string('[', 70) + new string(']', 70) + "}"));
        yield return SignedBody("json: number where a string belongs", () => Mutated(r => r["externalId"] = 12345));
        yield return SignedBody("json: object where an array belongs", () => Mutated(r => r["targets"] = new JsonObject()));
        yield return SignedBody("json: a 400-digit number", () => Mutated(r => r["notes"] = JsonNode.Parse(new string('9', 400))));
    }

    private static IEnumerable<HostileRequest> SizesAndTransport()
    {
        yield return SignedBody("size: 2 MiB body with Content-Length", () => Utf8(SampleReports.Json()[..^1] + ",\"notes\":\"" + new string('a', 2 << 20) + "\"}"));
        yield return SignedBody("size: 1 MiB + 1 of whitespace", () => Utf8(SampleReports.Json() + new string(' ', (1 << 20) + 1 - Utf8(SampleReports.Json()).Length)));
        yield return new("size: 3 MiB chunked body", context => context.Ifpi.PostChunkedAsync(Utf8(new string(' ', 3 << 20) + SampleReports.Json())));
        yield return SignedBody("size: notes of 4,001 characters", () => Mutated(r => r["notes"] = new string('n', 4001)));
        yield return SignedBody("size: 1,001 targets", () => Mutated(r => r["targets"] = new JsonArray(
            Enumerable.Range(0, 1001).Select(i => (JsonNode)new JsonObject { ["type"] = "domain", ["value"] = $"site{i}.example" }).ToArray())));
        yield return new("size: 40 KB signature header (over Kestrel's header limit)",
            context => context.Ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()), signature: new string('A', 40_000)), ServerLevel: true);
        yield return new("size: 5 KB signature header", context => context.Ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()), signature: new string('A', 5_000)));
        yield return new("size: 80 headers", context =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/partners/me");
            for (var i = 0; i < 80; i++)
            {
                request.Headers.TryAddWithoutValidation($"X-Filler-{i}", "x");
            }
            return context.Ifpi.Http.SendAsync(request);
        }, ServerLevel: true);
        yield return new("size: 20 KB request line", context => context.Ifpi.Http.GetAsync("/v1/reports?after=" + new string('a', 20_000)), ServerLevel: true);
        yield return new("slow: a body trickling at 2 bytes per second", SlowBodyAsync);
    }

    private static IEnumerable<HostileRequest> ContentTypes()
    {
        string?[] types =
        [
            null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
            "application/json; charset=latin1", "application/json; charset=utf-16", "application/jsonx", "application/problem+json",
            "application/*", "*/*", "application/json, text/plain", "",
        ];
        foreach (var type in types)
        {
            yield return new($"content-type: {type ?? "(none)"}", context =>
            {
                var body = SampleReports.Bytes(SampleReports.Json());
                return context.Ifpi.PostRawAsync(body, context.Ifpi.Sign(body), $"\"{Guid.NewGuid()}\"", type);
            });
        }
    }

    private static IEnumerable<HostileRequest> InvalidFields()
    {
        yield return Field("externalId empty", r => r["externalId"] = "");
        yield return Field("externalId of 101 characters", r => r["externalId"] = new string('x', 101));
        yield return Field("externalId with a control character", r => r["externalId"] = "IFPI\u0007-1");
        yield return Field("externalId missing", r => r.Remove("externalId"));
        yield return Field("legalBasis null", r => r["legalBasis"] = null);
        yield return Field("legalBasis.mouReference empty", r => r["legalBasis"]!["mouReference"] = "");
        yield return Field("category unknown", r => r["category"] = "piracy");
        yield return Field("category in capitals", r => r["category"] = "STREAM_RIPPING");
        yield return Field("category as a number", r => r["category"] = 1);
        yield return Field("requestedAction unknown", r => r["requestedAction"] = "takedown_everything");
        yield return Field("tlp white (TLP 1.0)", r => r["tlp"] = "white");
        yield return Field("observedAt without an offset", r => r["observedAt"] = "2026-11-20T10:00:00");
        yield return Field("observedAt a date only", r => r["observedAt"] = "2026-11-20");
        yield return Field("observedAt a year ahead", r => r["observedAt"] = DateTimeOffset.UtcNow.AddYears(1).ToString("O"));
        yield return Field("observedAt not a date", r => r["observedAt"] = "yesterday");
        yield return Field("targets empty", r => r["targets"] = new JsonArray());
        yield return Field("targets null", r => r["targets"] = null);
        yield return Field("target null", r => r["targets"]!.AsArray().Add(null));
        yield return Field("target type unknown", r => Target(r, 0)["type"] = "asn");
        yield return Field("url with ftp scheme", r => Target(r, 1)["value"] = "ftp://y2mate.example/x");
        yield return Field("url with javascript scheme", r => Target(r, 1)["value"] = "javascript:alert(1)");
        yield return Field("url with credentials", r => Target(r, 1)["value"] = "https://user:pass@y2mate.example/");
        yield return Field("url relative", r => Target(r, 1)["value"] = "/es/youtube-mp3");
        yield return Field("url to a private address", r => Target(r, 1)["value"] = "http://10.0.0.1/admin");
        yield return Field("url of 2,049 characters", r => Target(r, 1)["value"] = "https://y2mate.example/" + new string('p', 2049 - 23));
        string[] badIpv4 = ["10.1.2.3", "127.0.0.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255", "0.0.0.0", "192.168.1.1", "172.16.0.1", "0177.0.0.1", "203.0.113", "203.0.113.7/24", "1.2.3.256"];
        foreach (var ip in badIpv4)
        {
            yield return Field($"ipv4 {ip}", r => Target(r, 2)["value"] = ip);
        }
        string[] badIpv6 = ["::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "[2001:db8::7]", "2001:db8::7/64", "2001:db8::7%eth0", "2001:db8:::7"];
        foreach (var ip in badIpv6)
        {
            yield return Field($"ipv6 {ip}", r => Target(r, 3)["value"] = ip);
        }
        yield return Field("mobile_app store unknown", r => Target(r, 4)["store"] = "cydia");
        yield return Field("mobile_app appId with spaces", r => Target(r, 4)["appId"] = "com example ripper");
        yield return Field("mobile_app carrying a value", r => Target(r, 4)["value"] = "y2mate.example");
        yield return Field("desktop_app sha256 not hex", r => Target(r, 5)["sha256"] = new string('z', 64));
        yield return Field("desktop_app without a name", r => Target(r, 5).Remove("name"));
        yield return Field("works isrc too short", r => r["works"]![0]!["isrc"] = "PEA01230000");
        yield return Field("works isrc lower case with dashes", r => r["works"]![0]!["isrc"] = "pe-a01-23-00001");
        yield return Field("evidence sha256 of 63 characters", r => r["evidence"]![0]!["sha256"] = new string('a', 63));
        yield return Field("evidence kind unknown", r => r["evidence"]![0]!["kind"] = "rumour");
        yield return Field("evidence capturedAt in the future", r => r["evidence"]![0]!["capturedAt"] = DateTimeOffset.UtcNow.AddDays(2).ToString("O"));
        yield return Field("evidence uri with file scheme", r => r["evidence"]![0]!["uri"] = "file:///etc/passwd");
        yield return Field("liveEvent ending before it starts", r => r["liveEvent"] = new JsonObject
        {
            ["name"] = "Final", ["competition"] = "Liga 1", ["startsAt"] = "2026-11-20T20:00:00Z", ["endsAt"] = "2026-11-20T19:00:00Z",
        });
        yield return Field("liveEvent lasting 40 days", r => r["liveEvent"] = new JsonObject
        {
            ["name"] = "Season", ["startsAt"] = "2026-10-01T00:00:00Z", ["endsAt"] = "2026-11-10T00:00:00Z",
        });
        yield return Field("shareWith an unknown tenant", r => r["shareWith"] = new JsonArray("interpol"));
        yield return Field("shareWith a reporter (not an agency)", r => r["shareWith"] = new JsonArray("ifpi"));
        yield return Field("shareWith an agency without an agreement", r => r["shareWith"] = new JsonArray("operator"));
        yield return Field("shareWith empty", r => r["shareWith"] = new JsonArray());
        yield return Field("shareWith a duplicate", r => r["shareWith"] = new JsonArray("indecopi", "indecopi"));
    }

    private static IEnumerable<HostileRequest> InjectionInCheckedFields()
    {
        foreach (var (payload, i) in Injections.Select((p, i) => (p, i)))
        {
            yield return Field($"injection #{i} in a domain", r => Target(r, 0)["value"] = payload);
            yield return Field($"injection #{i} in an ISRC", r => r["works"]![0]!["isrc"] = payload);
            yield return Field($"injection #{i} in shareWith", r => r["shareWith"] = new JsonArray(payload));
            yield return Field($"injection #{i} in an enum", r => r["tlp"] = payload);
        }
        yield return Field("injection in an ipv4", r => Target(r, 2)["value"] = "203.0.113.7; rm -rf /");
        yield return Field("injection in an appId", r => Target(r, 4)["appId"] = "com.example'--");
        yield return Field("injection in a sha256", r => Target(r, 5)["sha256"] = "' OR 1=1 --" + new string('a', 53));
        yield return Field("injection in a url host", r => Target(r, 1)["value"] = "https://y2mate.example\r\nHost: evil/");
    }

    private static IEnumerable<HostileRequest> Domains()
    {
        string[] bad =
        [
            new string('a', 64) + ".example", string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".example", "-y2mate.example",
            "y2mate-.example", "y2_mate.example", "y2mate..example", ".y2mate.example", "y2mate", "localhost", "y2mate.example:443",
            "https://y2mate.example", "y2mate example", "*.y2mate.example", "203.0.113.7", "xn--.example", "y2mate.exa\u200Bmple",
        ];
        foreach (var domain in bad)
        {
            yield return Field($"domain {Describe(domain)}", r => Target(r, 0)["value"] = domain);
        }
    }

    private static IEnumerable<HostileRequest> JwsAttacks()
    {
        yield return Signature("alg none, empty signature", (c, body) => JwsForgery.Encode(JwsForgery.Header(c.Ifpi, alg: "none")) + "..");
        yield return Signature("alg none with an ES256 signature", (c, body) => JwsForgery.Es256(JwsForgery.Header(c.Ifpi, alg: "none"), body, c.Ifpi.SigningKey));
        yield return Signature("HS256 keyed with the public key PEM", (c, body) =>
            JwsForgery.Hs256(JwsForgery.Header(c.Ifpi, alg: "HS256"), body, Utf8(c.Ifpi.SigningKey.ExportSubjectPublicKeyInfoPem())));
        foreach (var alg in new[] { "ES384", "RS256", "PS256", "EdDSA", "es256", "ES256 " })
        {
            yield return Signature($"alg {alg}", (c, body) => JwsForgery.Es256(JwsForgery.Header(c.Ifpi, alg: alg), body, c.Ifpi.SigningKey));
        }
        yield return Signature("another tenant's kid with its key", (c, body) =>
            ReportSigning.Sign(body, c.EsMcd.SigningKey, ReportSigning.Header("ifpi", c.EsMcd.Kid)));
        yield return Signature("kid path traversal", (c, body) => ReportSigning.Sign(body, c.Ifpi.SigningKey, ReportSigning.Header("ifpi", "../../dev-pki/ifpi/signing.key")));
        yield return Signature("kid SQL injection", (c, body) => ReportSigning.Sign(body, c.Ifpi.SigningKey, ReportSigning.Header("ifpi", "' OR '1'='1")));
        yield return Signature("kid of 3,000 characters", (c, body) => ReportSigning.Sign(body, c.Ifpi.SigningKey, ReportSigning.Header("ifpi", new string('k', 3000))));
        yield return Signature("kid as a number", (c, body) => JwsForgery.Es256(
            $$"""{"alg":"ES256","kid":42,"iat":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"iss":"ifpi","jti":"{{Guid.NewGuid()}}"}""", body, c.Ifpi.SigningKey));
        yield return Signature("kid missing", (c, body) => JwsForgery.Es256(
            $$"""{"alg":"ES256","iat":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"iss":"ifpi","jti":"{{Guid.NewGuid()}}"}""", body, c.Ifpi.SigningKey));
        yield return Signature("iss of another tenant", (c, body) => c.Ifpi.Sign(body, h => h["iss"] = "es-mcd"));
        yield return Signature("iat an hour old", (c, body) => c.Ifpi.Sign(body, h => h["iat"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()));
        yield return Signature("iat an hour ahead", (c, body) => c.Ifpi.Sign(body, h => h["iat"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()));
        yield return Signature("iat as a string", (c, body) => c.Ifpi.Sign(body, h => h["iat"] = "now"));
        yield return Signature("iat of 10^30", (c, body) => JwsForgery.Es256(
            $$"""{"alg":"ES256","kid":"{{c.Ifpi.Kid}}","iat":1000000000000000000000000000000,"iss":"ifpi","jti":"{{Guid.NewGuid()}}"}""", body, c.Ifpi.SigningKey));
        yield return Signature("jti missing", (c, body) => c.Ifpi.Sign(body, h => h.Remove("jti")));
        yield return Signature("jti empty", (c, body) => c.Ifpi.Sign(body, h => h["jti"] = ""));
        yield return Signature("jti of 201 characters", (c, body) => c.Ifpi.Sign(body, h => h["jti"] = new string('j', 201)));
        yield return Signature("crit naming an unknown parameter", (c, body) => c.Ifpi.Sign(body, h => { h["crit"] = new[] { "iat", "exp" }; h["exp"] = 1; }));
        yield return Signature("crit not an array", (c, body) => c.Ifpi.Sign(body, h => h["crit"] = "iat"));
        yield return Signature("crit empty", (c, body) => c.Ifpi.Sign(body, h => h["crit"] = Array.Empty<string>()));
        yield return Signature("b64 false (RFC 7797) signed over raw bytes", (c, body) =>
        {
            var header = JwsForgery.Encode($$"""{"alg":"ES256","kid":"{{c.Ifpi.Kid}}","iat":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"iss":"ifpi","jti":"{{Guid.NewGuid()}}","b64":false,"crit":["b64"]}""");
            byte[] input = [.. Encoding.ASCII.GetBytes(header + "."), .. body];
            var signature = c.Ifpi.SigningKey.SignData(input, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return header + ".." + System.Buffers.Text.Base64Url.EncodeToString(signature);
        });
        yield return Signature("b64 false without crit", (c, body) => c.Ifpi.Sign(body, h => h["b64"] = false));
        yield return Signature("embedded jwk of the attacker's key", (c, body) =>
        {
            using var attacker = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            return ReportSigning.Sign(body, attacker, new Dictionary<string, object>(ReportSigning.Header("ifpi", c.Ifpi.Kid)) { ["jwk"] = new { kty = "EC", crv = "P-256" } });
        });
        yield return Signature("jku pointing elsewhere", (c, body) => c.Ifpi.Sign(body, h => { h["jku"] = "https://127.0.0.1/keys"; h["crit"] = new[] { "iat", "iss", "jti", "jku" }; }));
        yield return Signature("signature of another body", (c, body) => c.Ifpi.Sign(SampleReports.Bytes(SampleReports.Json())));
        yield return Signature("signature by an unregistered key", (c, body) =>
        {
            using var stranger = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            return ReportSigning.Sign(body, stranger, ReportSigning.Header("ifpi", c.Ifpi.Kid));
        });
        yield return Signature("signature truncated", (c, body) => c.Ifpi.Sign(body)[..^10]);
        yield return Signature("signature in DER instead of r||s", (c, body) =>
        {
            var header = JwsForgery.Encode(JwsForgery.Header(c.Ifpi, extra: ",\"crit\":[\"iat\",\"iss\",\"jti\"]"));
            var der = c.Ifpi.SigningKey.SignData(JwsForgery.SigningInput(header, body), System.Security.Cryptography.HashAlgorithmName.SHA256,
                System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence);
            return header + ".." + System.Buffers.Text.Base64Url.EncodeToString(der);
        });
        yield return Signature("signature not base64url", (c, body) => c.Ifpi.Sign(body).Split("..")[0] + "..!!!not+base64/==");
        yield return Signature("attached payload (not detached)", (c, body) =>
        {
            var parts = c.Ifpi.Sign(body).Split("..");
            return parts[0] + "." + JwsForgery.EncodeBody(body) + "." + parts[1];
        });
        yield return Signature("JSON serialization instead of compact", (c, body) => "{\"protected\":\"x\",\"signature\":\"y\"}");
        yield return Signature("one segment only", (c, body) => c.Ifpi.Sign(body).Replace("..", "", StringComparison.Ordinal));
        yield return Signature("four segments", (c, body) => c.Ifpi.Sign(body) + ".extra");
        yield return Signature("header not JSON", (c, body) => JwsForgery.Encode("not json") + ".." + c.Ifpi.Sign(body).Split("..")[1]);
        yield return Signature("header a JSON array", (c, body) => JwsForgery.Es256("[\"ES256\"]", body, c.Ifpi.SigningKey));
        yield return Signature("header with a duplicate alg", (c, body) => JwsForgery.Es256(
            $$"""{"alg":"ES256","alg":"none","kid":"{{c.Ifpi.Kid}}","iat":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"iss":"ifpi","jti":"{{Guid.NewGuid()}}"}""", body, c.Ifpi.SigningKey));
        yield return Signature("signature header empty", (c, body) => "");
        yield return new("jws: signature header missing", context =>
        {
            var body = SampleReports.Bytes(SampleReports.Json());
            return context.Ifpi.PostRawAsync(body, signature: null, $"\"{Guid.NewGuid()}\"");
        });
        yield return new("jws: reused jti", context => context.Ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()),
            signature: context.Ifpi.Sign(SampleReports.Bytes(SampleReports.Json()), h => h["jti"] = "hostile-reused-jti")),
            Setup: async context =>
            {
                var body = SampleReports.Bytes(SampleReports.Json());
                using var first = await context.Ifpi.SubmitAsync(body, signature: context.Ifpi.Sign(body, h => h["jti"] = "hostile-reused-jti"));
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            });
    }

    private static IEnumerable<HostileRequest> IdempotencyAbuse()
    {
        string?[] keys = [null, "", "\"\"", new string('k', 256), "\"" + new string('k', 256) + "\"", "clé-ñ", "two words", "\"unterminated", "a\tb"];
        foreach (var key in keys)
        {
            yield return new($"idempotency: key {Describe(key ?? "(none)")}", context =>
            {
                var body = SampleReports.Bytes(SampleReports.Json());
                return context.Ifpi.PostRawAsync(body, context.Ifpi.Sign(body), key);
            });
        }
        yield return new("idempotency: two Idempotency-Key headers", context =>
        {
            var body = SampleReports.Bytes(SampleReports.Json());
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("X-JWS-Signature", context.Ifpi.Sign(body));
            request.Headers.TryAddWithoutValidation("Idempotency-Key", [Guid.NewGuid().ToString(), Guid.NewGuid().ToString()]);
            return context.Ifpi.Http.SendAsync(request);
        });
        yield return new("idempotency: same key, another body",
            context => context.Ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()), idempotencyKey: "hostile-key-reuse"),
            Setup: async context =>
            {
                using var first = await context.Ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()), idempotencyKey: "hostile-key-reuse");
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            });
        yield return new("idempotency: another tenant's key and body do not replay its answer",
            context => context.EsMcd.SubmitAsync(Utf8("{}"), idempotencyKey: "hostile-shared-key"),
            Setup: async context =>
            {
                using var first = await context.Ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()), idempotencyKey: "hostile-shared-key");
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            });
    }

    private static IEnumerable<HostileRequest> CursorsAndQueries()
    {
        string[] cursors = ["garbage", "a.b", ".", "x.", ".x", "eyJ0IjoxfQ.AAAA", new string('a', 600), "%00", "1;DROP TABLE x"];
        foreach (var cursor in cursors)
        {
            yield return Get($"cursor: reports after={Describe(cursor)}", c => c.Ifpi, "/v1/reports?after=" + Uri.EscapeDataString(cursor));
        }
        yield return Get("cursor: intel after=forged", c => c.Indecopi, "/v1/intel?after=eyJwIjo5OTk5OTl9.AAAAAAAAAAAAAAAAAAAAAA");
        yield return Get("cursor: deliveries after=forged", c => c.Ifpi, "/v1/partners/me/webhook/deliveries?after=eyJwIjo5OTk5OTl9.AAAA");
        yield return new("cursor: a real cursor with one character changed", async context =>
        {
            var page = await context.Ifpi.Http.GetStringAsync("/v1/reports?limit=1");
            var next = JsonNode.Parse(page)!["next"]?.GetValue<string>() ?? throw new InvalidOperationException("expected a next cursor");
            var tampered = (next[0] == 'e' ? 'f' : 'e') + next[1..];
            return await context.Ifpi.Http.GetAsync("/v1/reports?limit=1&after=" + Uri.EscapeDataString(tampered));
        }, Setup: EnsureTwoReportsAsync);
        yield return new("cursor: ifpi's cursor used on the intel feed", async context =>
        {
            var page = await context.Ifpi.Http.GetStringAsync("/v1/reports?limit=1");
            var next = JsonNode.Parse(page)!["next"]!.GetValue<string>();
            return await context.Indecopi.Http.GetAsync("/v1/intel?after=" + Uri.EscapeDataString(next));
        }, Setup: EnsureTwoReportsAsync);
        foreach (var limit in new[] { "0", "501", "-1", "abc", "99999999999", "1.5", "" })
        {
            yield return Get($"query: limit={Describe(limit)}", c => c.Ifpi, "/v1/reports?limit=" + limit);
        }
        yield return Get("query: status unknown", c => c.Ifpi, "/v1/reports?status=deleted");
        yield return Get("query: deliveries status unknown", c => c.Ifpi, "/v1/partners/me/webhook/deliveries?status=all");
    }

    private static IEnumerable<HostileRequest> PathsAndMethods()
    {
        string[] paths =
        [
            "/v1/reports/not-a-guid", "/v1/reports/..%2F..%2Fetc%2Fpasswd", "/v1/reports/" + Guid.NewGuid() + "%20",
            "/v1/reports/%2525", "/v1/reports/" + Guid.NewGuid() + "/../../operator", "/v1/cases/1 OR 1=1", "/v1/cases/" + Guid.NewGuid(),
            "/v1/reports/" + Guid.NewGuid(), "/v1/partners/me/webhook/deliveries/" + Guid.NewGuid() + "/x", "/v1/%2e%2e/%2e%2e/health/live",
        ];
        foreach (var path in paths)
        {
            yield return Get($"path: {Describe(path)}", c => c.Ifpi, path);
        }
        yield return new("path: a NUL byte (%00)", c => c.Ifpi.Http.GetAsync("/v1/reports/%00"), ServerLevel: true);
        yield return new("path: another tenant's case moved", async context =>
        {
            var caseId = await FirstCaseOfAsync(context.Ifpi);
            var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/cases/{caseId}/status")
            {
                Content = new StringContent("{\"status\":\"under_review\"}", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
            return await context.EsMcd.Http.SendAsync(request);
        }, Setup: EnsureTwoReportsAsync);
        yield return new("path: another tenant's report read", async context =>
            await context.EsMcd.Http.GetAsync($"/v1/reports/{await FirstReportOfAsync(context.Ifpi)}"), Setup: EnsureTwoReportsAsync);
        yield return new("method: PUT /v1/reports", c => c.Ifpi.Http.PutAsync("/v1/reports", new StringContent("{}", Encoding.UTF8, "application/json")));
        yield return new("method: DELETE a report", c => c.Ifpi.Http.DeleteAsync("/v1/reports/" + Guid.NewGuid()));
        yield return new("method: TRACE", c => c.Ifpi.Http.SendAsync(new HttpRequestMessage(HttpMethod.Trace, "/v1/partners/me")));
        yield return new("role: an agency submits a report", c => c.Indecopi.SubmitAsync(SampleReports.Bytes(SampleReports.Json())));
        yield return Get("role: a reporter reads the intel feed", c => c.Ifpi, "/v1/intel");
        yield return Get("ops: /health/live on the partner listener", c => c.Ifpi, "/health/live");
    }

    // ---- helpers for the cases above

    private static async Task EnsureTwoReportsAsync(HostileContext context)
    {
        for (var i = 0; i < 2; i++)
        {
            using var response = await context.Ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private static async Task<Guid> FirstReportOfAsync(Partner partner) =>
        JsonNode.Parse(await partner.Http.GetStringAsync("/v1/reports?limit=1"))!["items"]![0]!["reportId"]!.GetValue<Guid>();

    private static async Task<Guid> FirstCaseOfAsync(Partner partner) =>
        JsonNode.Parse(await partner.Http.GetStringAsync("/v1/reports?limit=1"))!["items"]![0]!["cases"]![0]!["caseId"]!.GetValue<Guid>();

    private static async Task<HttpResponseMessage> SlowBodyAsync(HostileContext context)
    {
        var body = SampleReports.Bytes(SampleReports.Json());
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = new TrickleContent(body, TimeSpan.FromMilliseconds(500)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentLength = body.Length;
        request.Headers.TryAddWithoutValidation("X-JWS-Signature", context.Ifpi.Sign(body));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await context.Ifpi.Http.SendAsync(request, bounded.Token);
    }

    private static string Describe(string text)
    {
        var shown = new string(text.Take(40).Select(ch => char.IsControl(ch) || ch > '~' ? '?' : ch).ToArray());
        return text.Length > 40 ? $"{shown}… ({text.Length} chars)" : shown;
    }

    /// <summary>Sends a body one byte at a time with a pause between bytes, as a slowloris client does.</summary>
    private sealed class TrickleContent(byte[] body, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var b in body)
            {
                await stream.WriteAsync(new[] { b }, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                await Task.Delay(pause, cancellationToken);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
