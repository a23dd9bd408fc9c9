using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Signs bodies the way a partner does: a detached compact JWS over BASE64URL(exact bytes), ES256.</summary>
public static class ReportSigning
{
    public static string Sign(byte[] body, ECDsa key, object header)
    {
        var encodedHeader = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header));
        var signingInput = Encoding.ASCII.GetBytes(encodedHeader + "." + Base64Url.EncodeToString(body));
        var signature = key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return encodedHeader + ".." + Base64Url.EncodeToString(signature);
    }

    public static Dictionary<string, object> Header(string tenant, string kid, long? iat = null, string? jti = null) => new()
    {
        ["alg"] = "ES256",
        ["kid"] = kid,
        ["iat"] = iat ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["iss"] = tenant,
        ["jti"] = jti ?? Guid.NewGuid().ToString(),
        ["crit"] = new[] { "iat", "iss", "jti" },
    };
}

/// <summary>A demo tenant as a partner's system sees it: its certificate, its signing key and kid.</summary>
public sealed class Partner : IDisposable
{
    public Partner(ExchangeServer server, string tenant)
    {
        Tenant = tenant;
        Http = server.ClientFor(tenant);
        SigningKey = ECDsa.Create();
        SigningKey.ImportFromPem(File.ReadAllText(Path.Combine(server.DevPki, tenant, "signing.key")));
        Kid = File.ReadAllText(Path.Combine(server.DevPki, tenant, "signing.kid")).Trim();
    }

    public string Tenant { get; }
    public HttpClient Http { get; }
    public ECDsa SigningKey { get; }
    public string Kid { get; }

    public string Sign(byte[] body, Action<Dictionary<string, object>>? tweak = null)
    {
        var header = ReportSigning.Header(Tenant, Kid);
        tweak?.Invoke(header);
        return ReportSigning.Sign(body, SigningKey, header);
    }

    /// <summary>POSTs the exact bytes, signed (unless a signature is given), with a fresh or given idempotency key.</summary>
    public Task<HttpResponseMessage> SubmitAsync(byte[] body, string? signature = null, string? idempotencyKey = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("X-JWS-Signature", signature ?? Sign(body));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", $"\"{idempotencyKey ?? Guid.NewGuid().ToString()}\"");
        return Http.SendAsync(request);
    }

    public void Dispose()
    {
        Http.Dispose();
        SigningKey.Dispose();
    }
}

/// <summary>Report bodies for tests, starting from the DESIGN.md example.</summary>
public static class SampleReports
{
    public static string Json(string? externalId = null, string targets = DefaultTargets, string shareWith = "[\"indecopi\"]", string extra = "") =>
        $$"""
        {
          "externalId": "{{externalId ?? "IFPI-PE-" + Guid.NewGuid().ToString("N")[..12]}}",
          "legalBasis": { "mouReference": "INDECOPI-IFPI-MOU-2022", "orderReference": null },
          "category": "stream_ripping",
          "requestedAction": "block",
          "tlp": "amber",
          "observedAt": "2026-11-20T10:00:00Z",
          "targets": {{targets}},
          "works": [ { "isrc": "PEA012300001", "title": "Song", "artist": "Artist", "rightsHolder": "Label" } ],
          "evidence": [ { "kind": "screenshot", "sha256": "{{new string('a', 64)}}", "capturedAt": "2026-11-20T09:58:00Z",
                          "uri": "https://evidence.ifpi.example/e/1", "description": "Landing page" } ],
          "liveEvent": null,
          "shareWith": {{shareWith}},
          "notes": "Seen on 2026-11-20"{{extra}}
        }
        """;

    public const string DefaultTargets = """
        [
          { "type": "domain", "value": "y2mate.example" },
          { "type": "url", "value": "https://y2mate.example/es/youtube-mp3" },
          { "type": "ipv4", "value": "203.0.113.7" },
          { "type": "ipv6", "value": "2001:db8::7" },
          { "type": "mobile_app", "store": "google_play", "appId": "com.example.ripper", "name": "Ripper" },
          { "type": "desktop_app", "name": "RipperPC", "downloadUrl": "https://ripper.example/setup.exe",
            "sha256": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" }
        ]
        """;

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);
}
