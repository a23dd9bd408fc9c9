using System.Buffers.Text;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Client.Audit;

/// <summary>One check made on an evidence bundle.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Detail">Why not, or what it established.</param>
public sealed record BundleCheck(string Name, bool Passed, string Detail);

/// <summary>What verifying an evidence bundle established.</summary>
public sealed record BundleVerification
{
    /// <summary>Every check, in the order made.</summary>
    public required IReadOnlyList<BundleCheck> Checks { get; init; }

    /// <summary>The receipt's payload, when it verified.</summary>
    public ReceiptPayload? Receipt { get; init; }

    /// <summary>The checkpoint's payload, when it verified.</summary>
    public AuditCheckpointPayload? Checkpoint { get; init; }

    /// <summary>The ledger entry that records the report, when it parsed.</summary>
    public LedgerEntry? Entry { get; init; }

    /// <summary>True when the exchange's keys came from the caller rather than from the bundle's own jwks.json.</summary>
    public required bool JwksPinned { get; init; }

    /// <summary>True when every check passed.</summary>
    public bool Verified => Checks.Count > 0 && Checks.All(c => c.Passed);
}

/// <summary>
/// Verifies an evidence bundle offline: the submitter's signature over the exact bytes, the exchange's receipt, the
/// ledger entry and its inclusion proof against the signed checkpoint. Pass the exchange's JWKS obtained independently
/// to pin its keys; otherwise the bundle's own copy is used, which proves consistency but not origin.
/// </summary>
public static class EvidenceBundles
{
    /// <summary>Exactly the files a bundle holds.</summary>
    public static readonly IReadOnlyList<string> FileNames =
    [
        "report.json", "report.jws", "signer.pem", "client-certificate.pem", "receipt.jws", "jwks.json",
        "inclusion-proof.json", "checkpoint.jws", "README.txt",
    ];

    private const long MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Reads the zip in <paramref name="bundle"/> and checks it; throws <see cref="InvalidDataException"/> when it is not
    /// a zip, holds a name twice or a file larger than 16 MiB.
    /// </summary>
    public static BundleVerification Verify(Stream bundle, JsonWebKeySet? pinnedJwks = null)
    {
        var files = ReadFiles(bundle);
        var checks = new List<BundleCheck>();
        void Check(string name, bool passed, string detail) => checks.Add(new BundleCheck(name, passed, detail));

        var missing = FileNames.Where(f => !files.ContainsKey(f)).ToList();
        var extra = files.Keys.Where(f => !FileNames.Contains(f)).ToList();
        Check("files", missing.Count == 0 && extra.Count == 0,
            missing.Count == 0 && extra.Count == 0 ? "exactly the nine files of an evidence bundle"
            : $"missing: {string.Join(", ", missing)}; unexpected: {string.Join(", ", extra)}");
        if (missing.Count > 0)
        {
            return new BundleVerification { Checks = checks, JwksPinned = pinnedJwks is not null };
        }

        var body = files["report.json"];
        var jws = Text(files["report.jws"]);
        var receiptJws = Text(files["receipt.jws"]);
        var signerPem = Text(files["signer.pem"]);
        var bodySha256 = Hex.Sha256(body);

        Check("report signature", DetachedJws.Verify(body, jws, signerPem),
            "report.jws is an ES256 detached JWS over the exact bytes of report.json by the key in signer.pem");
        var header = ReadHeader(jws);

        JsonWebKeySet jwks;
        try
        {
            jwks = pinnedJwks ?? JsonSerializer.Deserialize<JsonWebKeySet>(files["jwks.json"], ClientJson.Options)
                ?? throw new JsonException("jwks.json is null.");
        }
        catch (JsonException exception)
        {
            Check("jwks", false, exception.Message);
            return new BundleVerification { Checks = checks, JwksPinned = false };
        }

        ReceiptPayload? receipt = null;
        try
        {
            receipt = Receipts.Verify(receiptJws, jwks);
            Check("receipt", receipt.BodySha256 == bodySha256 && receipt.Tenant == header.Iss && receipt.Jti == header.Jti,
                receipt.BodySha256 != bodySha256 ? $"the receipt is for body {receipt.BodySha256}, report.json has {bodySha256}"
                : receipt.Tenant != header.Iss || receipt.Jti != header.Jti ? "the receipt's tenant or jti differ from the report signature's iss and jti"
                : $"the exchange received report {receipt.ReportId} from {receipt.Tenant} at {receipt.ReceivedAt:u}");
        }
        catch (CryptographicException exception)
        {
            Check("receipt", false, exception.Message);
        }

        AuditCheckpointPayload? checkpoint = null;
        try
        {
            checkpoint = Checkpoints.Verify(Text(files["checkpoint.jws"]), jwks);
            Check("checkpoint", true, $"signed by the exchange: tree size {checkpoint.TreeSize}, root {checkpoint.RootHash}, issued {checkpoint.IssuedAt:u}");
        }
        catch (CryptographicException exception)
        {
            Check("checkpoint", false, exception.Message);
        }

        AuditInclusionProof? proof = null;
        LedgerEntry? entry = null;
        try
        {
            proof = JsonSerializer.Deserialize<AuditInclusionProof>(files["inclusion-proof.json"], ClientJson.Options);
            entry = proof is null ? null : LedgerEntry.Parse(proof.Entry);
        }
        catch (JsonException exception)
        {
            Check("inclusion proof", false, "inclusion-proof.json is not valid: " + exception.Message);
        }

        if (proof is not null && entry is not null)
        {
            CheckEntry(entry, proof, receipt, bodySha256, jws, receiptJws, header, files["client-certificate.pem"], Check);
            var leaf = MerkleTree.LeafHash(proof.Entry);
            var included = checkpoint is not null && proof.TreeSize == checkpoint.TreeSize && entry.Index == proof.Index
                && proof.AuditPath.All(Hex.IsHash) && Convert.ToHexStringLower(leaf) == proof.LeafHash
                && MerkleTree.VerifyInclusion(proof.Index, proof.TreeSize, leaf, proof.AuditPath.Select(Convert.FromHexString).ToList(),
                    Convert.FromHexString(checkpoint.RootHash));
            Check("inclusion proof", included, included
                ? $"entry {proof.Index} is in the signed checkpoint of tree size {proof.TreeSize}"
                : "the entry's RFC 9162 inclusion proof does not lead to the checkpoint's root");
        }

        return new BundleVerification { Checks = checks, Receipt = receipt, Checkpoint = checkpoint, Entry = entry, JwksPinned = pinnedJwks is not null };
    }

    private static void CheckEntry(
        LedgerEntry entry, AuditInclusionProof proof, ReceiptPayload? receipt, string bodySha256, string jws, string receiptJws,
        SignatureHeader header, byte[] certificatePem, Action<string, bool, string> check)
    {
        string? Detail(string name) =>
            entry.Details.ValueKind == JsonValueKind.Object && entry.Details.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString() : null;

        string? certificateSha256;
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(Text(certificatePem));
            certificateSha256 = Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
        }
        catch (CryptographicException)
        {
            certificateSha256 = null;
        }

        var mismatches = new List<string>();
        if (entry.Kind != "report.accepted" || entry.Subject.Type != "report")
        {
            mismatches.Add($"it is a {entry.Kind} entry, not report.accepted");
        }
        if (receipt is not null && entry.Subject.Id != receipt.ReportId.ToString())
        {
            mismatches.Add("it records another report");
        }
        if (Detail("bodySha256") != bodySha256)
        {
            mismatches.Add("it names another body");
        }
        if (Detail("signatureSha256") != Hex.Sha256(Encoding.ASCII.GetBytes(jws)))
        {
            mismatches.Add("it names another report.jws");
        }
        if (Detail("receiptSha256") != Hex.Sha256(Encoding.ASCII.GetBytes(receiptJws)))
        {
            mismatches.Add("it names another receipt");
        }
        if (certificateSha256 is null || !string.Equals(Detail("clientCertificateSha256"), certificateSha256, StringComparison.OrdinalIgnoreCase))
        {
            mismatches.Add("it names another client certificate");
        }
        if (Detail("kid") != header.Kid || Detail("jti") != header.Jti || Detail("submitter") != header.Iss)
        {
            mismatches.Add("its kid, jti or submitter differ from the report signature's");
        }
        check("ledger entry", mismatches.Count == 0, mismatches.Count == 0
            ? $"entry {proof.Index} ({entry.OccurredAt:u}) records the report, its signature, receipt and client certificate"
            : "the ledger entry does not match the bundle: " + string.Join("; ", mismatches));
    }

    private static Dictionary<string, byte[]> ReadFiles(Stream bundle)
    {
        using var archive = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in archive.Entries)
        {
            // Bounded whatever the zip declares, and a name given twice would let one copy hide behind the other.
            using var stream = file.Open();
            using var memory = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                memory.Write(buffer, 0, read);
                if (memory.Length > MaxFileBytes)
                {
                    throw new InvalidDataException($"{file.FullName} is larger than an evidence bundle's files are.");
                }
            }
            if (!files.TryAdd(file.FullName, memory.ToArray()))
            {
                throw new InvalidDataException($"The bundle holds {file.FullName} twice.");
            }
        }
        return files;
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes).Trim();

    private static SignatureHeader ReadHeader(string jws)
    {
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(jws.Split('.')[0]));
            string? Get(string name) => header.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return new SignatureHeader(Get("kid"), Get("iss"), Get("jti"));
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException)
        {
            return new SignatureHeader(null, null, null);
        }
    }

    private sealed record SignatureHeader(string? Kid, string? Iss, string? Jti);
}
