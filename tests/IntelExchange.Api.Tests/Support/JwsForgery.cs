using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Detached JWS values built by hand from a raw header text, as an attacker or a buggy client would.</summary>
public static class JwsForgery
{
    public static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    public static string EncodeBody(byte[] body) => Base64Url.EncodeToString(body);

    public static byte[] SigningInput(string encodedHeader, byte[] body) => Encoding.ASCII.GetBytes(encodedHeader + "." + EncodeBody(body));

    /// <summary>ES256 over a header given as raw JSON text (so it may hold anything, even duplicates).</summary>
    public static string Es256(string headerJson, byte[] body, ECDsa key)
    {
        var encodedHeader = Encode(headerJson);
        var signature = key.SignData(SigningInput(encodedHeader, body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return encodedHeader + ".." + Base64Url.EncodeToString(signature);
    }

    /// <summary>HS256 with a secret the attacker knows (the classic alg-confusion attack uses the public key bytes).</summary>
    public static string Hs256(string headerJson, byte[] body, byte[] secret)
    {
        var encodedHeader = Encode(headerJson);
        return encodedHeader + ".." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, SigningInput(encodedHeader, body)));
    }

    /// <summary>The protected header a well-behaved partner sends, as JSON text with optional extra members.</summary>
    public static string Header(Partner partner, string alg = "ES256", string? extra = null, long? iat = null) =>
        $$"""{"alg":"{{alg}}","kid":"{{partner.Kid}}","iat":{{iat ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"iss":"{{partner.Tenant}}","jti":"{{Guid.NewGuid()}}"{{extra}}}""";
}
