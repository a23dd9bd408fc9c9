using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IntelExchange.Client.Signing;

/// <summary>A JSON Web Key Set (RFC 7517), as <c>GET /.well-known/jwks.json</c> publishes the exchange's keys.</summary>
public sealed record JsonWebKeySet
{
    /// <summary>The keys.</summary>
    public required IReadOnlyList<JsonWebKey> Keys { get; init; }
}

/// <summary>One public key of a <see cref="JsonWebKeySet"/>; the exchange publishes EC P-256 keys.</summary>
public sealed record JsonWebKey
{
    /// <summary>Key type, <c>EC</c>.</summary>
    public required string Kty { get; init; }

    /// <summary>Key id.</summary>
    public string? Kid { get; init; }

    /// <summary>Curve, <c>P-256</c>.</summary>
    public string? Crv { get; init; }

    /// <summary>X coordinate, base64url.</summary>
    public string? X { get; init; }

    /// <summary>Y coordinate, base64url.</summary>
    public string? Y { get; init; }

    /// <summary>Intended use, <c>sig</c>.</summary>
    public string? Use { get; init; }

    /// <summary>Algorithm, <c>ES256</c>.</summary>
    public string? Alg { get; init; }
}

/// <summary>What the exchange vouches for in a receipt: it received these exact bytes, signed with this jti, at this time.</summary>
public sealed record ReceiptPayload
{
    /// <summary>The exchange's id for the report.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The submitting tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>SHA-256 of the exact body bytes received, lower-case hex.</summary>
    public required string BodySha256 { get; init; }

    /// <summary>The <c>jti</c> of the submitter's signature.</summary>
    public required string Jti { get; init; }

    /// <summary>When the exchange committed the report.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>Verifies the exchange's receipts: compact JWS, ES256, signed with a key of the exchange's JWKS.</summary>
public static class Receipts
{
    /// <summary>The receipt's media type in its <c>typ</c> header; another JWS of the exchange (a checkpoint) is not a receipt.</summary>
    public const string Type = "intelx-receipt+jws";

    /// <summary>The verified payload of <paramref name="receipt"/>; throws <see cref="CryptographicException"/> if it does not verify.</summary>
    public static ReceiptPayload Verify(string receipt, JsonWebKeySet jwks)
    {
        var payload = ExchangeJws.VerifyPayload(receipt, jwks, Type, "receipt", typeRequired: false);
        try
        {
            return JsonSerializer.Deserialize<ReceiptPayload>(payload, ClientJson.Options)
                ?? throw new CryptographicException("The receipt's payload is empty.");
        }
        catch (JsonException exception)
        {
            throw new CryptographicException("The receipt is malformed: " + exception.Message, exception);
        }
    }
}

/// <summary>Compact JWS signed by the exchange (receipts, checkpoints): ES256 with a key of its JWKS, and the expected <c>typ</c>.</summary>
internal static class ExchangeJws
{
    /// <summary>The payload bytes once the signature verifies; <paramref name="what"/> names the document in errors.</summary>
    public static byte[] VerifyPayload(string jws, JsonWebKeySet jwks, string type, string what, bool typeRequired)
    {
        var parts = jws.Trim().Split('.');
        if (parts.Length != 3 || parts.Any(part => part.Length == 0))
        {
            throw new CryptographicException($"The {what} is not a compact JWS (header.payload.signature).");
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            var root = header.RootElement;
            if (Text(root, "alg") != "ES256")
            {
                throw new CryptographicException($"The {what} is not signed with ES256.");
            }
            var actualType = Text(root, "typ");
            if ((actualType is not null || typeRequired) && actualType != type)
            {
                throw new CryptographicException($"The JWS is a '{actualType}', not a {what}.");
            }
            if (root.TryGetProperty("crit", out _))
            {
                throw new CryptographicException($"The {what} names critical header parameters this verifier does not understand.");
            }
            var kid = Text(root, "kid") ?? throw new CryptographicException($"The {what}'s header has no kid.");
            var jwk = jwks.Keys.FirstOrDefault(k => k.Kid == kid)
                ?? throw new CryptographicException($"The key '{kid}' is not in the exchange's JWKS.");

            using var key = ImportP256(jwk);
            var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!key.VerifyData(signingInput, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                throw new CryptographicException($"The {what}'s signature does not verify.");
            }
            return Base64Url.DecodeFromChars(parts[1]);
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            throw new CryptographicException($"The {what} is malformed: " + exception.Message, exception);
        }
    }

    private static ECDsa ImportP256(JsonWebKey jwk)
    {
        if (jwk.Kty != "EC" || jwk.Crv != "P-256" || jwk.X is null || jwk.Y is null)
        {
            throw new CryptographicException($"The key '{jwk.Kid}' is not an EC P-256 key.");
        }
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.X), Y = Base64Url.DecodeFromChars(jwk.Y) },
        });
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
