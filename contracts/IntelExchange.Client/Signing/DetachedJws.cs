using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IntelExchange.Client.Signing;

/// <summary>
/// Detached compact JWS (RFC 7515 Appendix F) with ES256, as IntelExchange uses it: the signing input is
/// <c>BASE64URL(header) + "." + BASE64URL(exact body bytes)</c>, and the compact form leaves the payload part empty.
/// </summary>
public static class DetachedJws
{
    /// <summary>Signs <paramref name="body"/> for <paramref name="tenant"/> with a fresh <c>jti</c> and the current <c>iat</c>.</summary>
    public static string Sign(ReadOnlySpan<byte> body, ECDsa key, string kid, string tenant, string? jti = null, DateTimeOffset? issuedAt = null)
    {
        var header = new Dictionary<string, object>
        {
            ["alg"] = "ES256",
            ["kid"] = kid,
            ["iat"] = (issuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            ["iss"] = tenant,
            ["jti"] = jti ?? Guid.NewGuid().ToString(),
            ["crit"] = new[] { "iat", "iss", "jti" },
        };
        var encodedHeader = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header));
        var signature = key.SignData(SigningInput(encodedHeader, body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return encodedHeader + ".." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// True when <paramref name="jws"/> is an ES256 detached signature over <paramref name="body"/> by
    /// <paramref name="publicKeyPem"/>, and its <c>kid</c> is that key's RFC 7638 thumbprint.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> body, string jws, string publicKeyPem)
    {
        var parts = jws.Split('.');
        if (parts.Length != 3 || parts[1].Length != 0)
        {
            return false;
        }
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var key = ECDsa.Create();
            key.ImportFromPem(publicKeyPem);
            if (header.RootElement.GetProperty("alg").GetString() != "ES256"
                || header.RootElement.GetProperty("kid").GetString() != KeyId(key.ExportParameters(false))
                || header.RootElement.TryGetProperty("b64", out _))
            {
                return false;
            }
            return key.VerifyData(SigningInput(parts[0], body), Base64Url.DecodeFromChars(parts[2]),
                HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (Exception exception) when (exception is FormatException or JsonException or KeyNotFoundException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The RFC 7638 JWK thumbprint of a P-256 public key: the key id IntelExchange uses.</summary>
    public static string KeyId(ECParameters publicKey) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(publicKey.Q.X)}\",\"y\":\"{Base64Url.EncodeToString(publicKey.Q.Y)}\"}}")));

    private static byte[] SigningInput(string encodedHeader, ReadOnlySpan<byte> body)
    {
        var input = new byte[encodedHeader.Length + 1 + Base64Url.GetEncodedLength(body.Length)];
        Encoding.ASCII.GetBytes(encodedHeader, input);
        input[encodedHeader.Length] = (byte)'.';
        Base64Url.EncodeToUtf8(body, input.AsSpan(encodedHeader.Length + 1));
        return input;
    }
}
