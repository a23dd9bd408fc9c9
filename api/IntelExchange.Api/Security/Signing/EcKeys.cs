using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IntelExchange.Api.Security.Signing;

/// <summary>EC P-256 public keys as PEM and JWK, and their RFC 7638 thumbprints (our key ids).</summary>
internal static class EcKeys
{
    public static ECParameters ImportPublicKeyPem(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new CryptographicException("The key is not on curve P-256.");
        }
        return parameters;
    }

    public static string ExportPublicKeyPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();

    /// <summary>RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order, base64url.</summary>
    public static string Thumbprint(ECParameters publicKey)
    {
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(publicKey.Q.X)}\",\"y\":\"{Base64Url.EncodeToString(publicKey.Q.Y)}\"}}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static Dictionary<string, string> ToJwk(ECParameters publicKey, string kid) => new()
    {
        ["kty"] = "EC",
        ["crv"] = "P-256",
        ["x"] = Base64Url.EncodeToString(publicKey.Q.X),
        ["y"] = Base64Url.EncodeToString(publicKey.Q.Y),
        ["kid"] = kid,
        ["use"] = "sig",
        ["alg"] = "ES256",
    };
}
