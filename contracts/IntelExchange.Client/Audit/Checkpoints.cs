using System.Security.Cryptography;
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
