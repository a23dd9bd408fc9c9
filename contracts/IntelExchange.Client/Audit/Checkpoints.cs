using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Client.Audit;

/// <summary>Verifies the exchange's signed checkpoints of its audit ledger, and consistency between two of them.</summary>
public static class Checkpoints
{
    /// <summary>The checkpoint's media type in its <c>typ</c> header.</summary>
    public const string Type = "intelx-checkpoint+jws";

    /// <summary>The verified payload of <paramref name="checkpoint"/>; throws <see cref="CryptographicException"/> if it does not verify.</summary>
    public static AuditCheckpointPayload Verify(string checkpoint, JsonWebKeySet jwks)
    {
        var payload = ExchangeJws.VerifyPayload(checkpoint, jwks, Type, "checkpoint", typeRequired: true);
        try
        {
            var decoded = JsonSerializer.Deserialize<AuditCheckpointPayload>(payload, ClientJson.Options)
                ?? throw new CryptographicException("The checkpoint's payload is empty.");
            if (decoded.TreeSize < 0 || !Hex.IsHash(decoded.RootHash))
            {
                throw new CryptographicException("The checkpoint's treeSize or rootHash is not valid.");
            }
            return decoded;
        }
        catch (JsonException exception)
        {
            throw new CryptographicException("The checkpoint is malformed: " + exception.Message, exception);
        }
    }

    /// <summary>
    /// Checks an RFC 3161 time-stamp on <paramref name="checkpoint"/> (the compact JWS) and returns the authority's time.
    /// With <paramref name="trustedAuthorities"/>, the authority's certificate must also chain to one of them; throws
    /// <see cref="CryptographicException"/> when anything does not hold.
    /// </summary>
    public static DateTimeOffset VerifyTimestamp(string checkpoint, byte[] timestampToken, X509Certificate2Collection? trustedAuthorities = null)
    {
        if (!Rfc3161TimestampToken.TryDecode(timestampToken, out var token, out var consumed) || consumed != timestampToken.Length)
        {
            throw new CryptographicException("The time-stamp is not an RFC 3161 TimeStampToken.");
        }
        if (!token.VerifySignatureForData(Encoding.ASCII.GetBytes(checkpoint.Trim()), out var signer))
        {
            throw new CryptographicException("The time-stamp does not cover this checkpoint, or its signature does not verify.");
        }
        using (signer)
        {
            if (trustedAuthorities is not null)
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trustedAuthorities);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.8"));
                chain.ChainPolicy.VerificationTime = token.TokenInfo.Timestamp.UtcDateTime;
                if (!chain.Build(signer))
                {
                    throw new CryptographicException("The time-stamp authority is not one of the trusted ones.");
                }
            }
        }
        return token.TokenInfo.Timestamp;
    }

    /// <summary>
    /// True when <paramref name="proof"/> shows that the ledger of <paramref name="older"/> is a prefix of the ledger of
    /// <paramref name="newer"/>: nothing the older checkpoint covered was changed, removed or reordered since.
    /// </summary>
    public static bool AreConsistent(AuditCheckpointPayload older, AuditCheckpointPayload newer, AuditConsistencyProof proof) =>
        proof.From == older.TreeSize && proof.To == newer.TreeSize && proof.Proof.All(Hex.IsHash)
        && MerkleTree.VerifyConsistency(older.TreeSize, newer.TreeSize, Convert.FromHexString(older.RootHash), Convert.FromHexString(newer.RootHash),
            proof.Proof.Select(Convert.FromHexString).ToList());
}

internal static class Hex
{
    public static bool IsHash(string? value) => value is { Length: 64 } && value.All(Uri.IsHexDigit);

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
