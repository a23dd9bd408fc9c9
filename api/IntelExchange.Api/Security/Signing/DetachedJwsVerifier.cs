using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Http;

namespace IntelExchange.Api.Security.Signing;

/// <summary>The protected header facts of a verified report signature.</summary>
internal sealed record VerifiedSignature(string Kid, string Jti, long IssuedAt);

/// <summary>
/// Verifies a detached compact JWS (RFC 7515 Appendix F, b64 true) over the exact body bytes. Written on the BCL because
/// Microsoft.IdentityModel ignores <c>crit</c>. Every check refuses with its own problem type.
/// </summary>
internal sealed class DetachedJwsVerifier(TenantDirectory directory, TimeProvider clock, IConfiguration configuration)
{
    /// <summary>Header parameters we understand and therefore accept in <c>crit</c>.</summary>
    private static readonly HashSet<string> Understood = ["iat", "iss", "jti"];
    public const int MaxHeaderLength = 4096;

    private readonly long _maxSkewSeconds = configuration.GetValue("Signing:MaxClockSkewSeconds", 300L);

    public VerifiedSignature Verify(string? jws, ReadOnlySpan<byte> body, string tenantId)
    {
        if (string.IsNullOrWhiteSpace(jws))
        {
            throw new ProblemException(Problems.SignatureMissing);
        }
        if (jws.Length > MaxHeaderLength)
        {
            throw new ProblemException(Problems.SignatureMalformed, "The signature header is too long.");
        }

        var parts = jws.Trim().Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[2].Length == 0)
        {
            throw new ProblemException(Problems.SignatureMalformed, "Expected BASE64URL(header)..BASE64URL(signature).");
        }
        if (parts[1].Length != 0)
        {
            throw new ProblemException(Problems.SignatureMalformed, "The payload part must be empty: the JWS is detached and signs the body.");
        }

        var header = ParseHeader(parts[0]);
        var signature = DecodeSegment(parts[2], "signature");
        var snapshot = directory.Current;

        if (header.Alg != "ES256")
        {
            throw new ProblemException(Problems.SignatureAlgorithmRefused, $"alg '{Truncate(header.Alg)}' is not allowed; use ES256.");
        }
        if (header.Crit is not null)
        {
            var unknown = header.Crit.FirstOrDefault(name => !Understood.Contains(name));
            if (unknown is not null || header.Crit.Count == 0)
            {
                throw new ProblemException(Problems.SignatureCriticalUnknown, unknown is null ? "crit must not be empty." : $"crit names '{Truncate(unknown)}'.");
            }
        }
        if (header.HasB64)
        {
            // Only b64=true (the default) is supported, and then the parameter must be absent (RFC 7797 §3).
            throw new ProblemException(Problems.SignatureCriticalUnknown, "The b64 header parameter is not supported; sign BASE64URL(body).");
        }
        if (header.Kid is null || !snapshot.Keys.TryGetValue(header.Kid, out var key) || key.TenantId != tenantId || key.Retired)
        {
            throw new ProblemException(Problems.SignatureKeyUnknown);
        }
        if (header.Iss != tenantId)
        {
            throw new ProblemException(Problems.SignatureIssuerMismatch, "iss must equal the tenant of the client certificate.");
        }
        if (header.Iat is not { } issuedAt || Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - issuedAt) > _maxSkewSeconds)
        {
            throw new ProblemException(Problems.SignatureStale, $"iat must be within {_maxSkewSeconds} s of the exchange's clock.");
        }
        if (string.IsNullOrEmpty(header.Jti) || header.Jti.Length > 200)
        {
            throw new ProblemException(Problems.SignatureMalformed, "jti must be a string of 1 to 200 characters.");
        }
        if (signature.Length != 64)
        {
            throw new ProblemException(Problems.SignatureInvalid, "An ES256 signature is 64 bytes (r || s).");
        }

        if (!VerifySignature(key, parts[0], body, signature))
        {
            throw new ProblemException(Problems.SignatureInvalid);
        }
        return new VerifiedSignature(header.Kid, header.Jti, issuedAt);
    }

    private static bool VerifySignature(SigningKeyEntry key, string encodedHeader, ReadOnlySpan<byte> body, byte[] signature)
    {
        var encodedBodyLength = Base64Url.GetEncodedLength(body.Length);
        var signingInput = new byte[encodedHeader.Length + 1 + encodedBodyLength];
        Encoding.ASCII.GetBytes(encodedHeader, signingInput);
        signingInput[encodedHeader.Length] = (byte)'.';
        Base64Url.EncodeToUtf8(body, signingInput.AsSpan(encodedHeader.Length + 1));

        return key.VerifyData(signingInput, signature);
    }

    private static JwsHeader ParseHeader(string encoded)
    {
        var bytes = DecodeSegment(encoded, "header");
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 4 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ProblemException(Problems.SignatureMalformed, "The protected header must be a JSON object.");
            }

            var header = new JwsHeader();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "alg": header.Alg = StringOrThrow(property); break;
                    case "kid": header.Kid = StringOrThrow(property); break;
                    case "iss": header.Iss = StringOrThrow(property); break;
                    case "jti": header.Jti = StringOrThrow(property); break;
                    case "iat":
                        header.Iat = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt64(out var iat)
                            ? iat
                            : throw new ProblemException(Problems.SignatureMalformed, "iat must be an integer number of seconds.");
                        break;
                    case "crit":
                        header.Crit = property.Value.ValueKind == JsonValueKind.Array
                            ? property.Value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String
                                ? item.GetString()!
                                : throw new ProblemException(Problems.SignatureMalformed, "crit must list strings.")).ToList()
                            : throw new ProblemException(Problems.SignatureMalformed, "crit must be an array.");
                        break;
                    case "b64": header.HasB64 = true; break;
                }
            }
            return header;
        }
        catch (JsonException)
        {
            throw new ProblemException(Problems.SignatureMalformed, "The protected header is not valid JSON.");
        }
    }

    private static string StringOrThrow(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.String
            ? property.Value.GetString()!
            : throw new ProblemException(Problems.SignatureMalformed, $"{property.Name} must be a string.");

    private static byte[] DecodeSegment(string segment, string name)
    {
        try
        {
            return Base64Url.DecodeFromChars(segment);
        }
        catch (FormatException)
        {
            throw new ProblemException(Problems.SignatureMalformed, $"The {name} is not base64url.");
        }
    }

    private static string Truncate(string? value) => value is null ? "(none)" : value.Length <= 32 ? value : value[..32];

    private sealed class JwsHeader
    {
        public string? Alg { get; set; }
        public string? Kid { get; set; }
        public string? Iss { get; set; }
        public string? Jti { get; set; }
        public long? Iat { get; set; }
        public List<string>? Crit { get; set; }
        public bool HasB64 { get; set; }
    }
}
