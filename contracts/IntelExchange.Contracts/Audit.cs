using System.ComponentModel.DataAnnotations;

namespace IntelExchange.Contracts;

/// <summary>
/// A signed checkpoint of the audit ledger: the compact JWS (ES256, a key of the exchange's JWKS, <c>typ</c>
/// <c>intelx-checkpoint+jws</c>) whose payload is <see cref="AuditCheckpointPayload"/>, and that payload decoded.
/// </summary>
public sealed record AuditCheckpoint
{
    /// <summary>The compact JWS. Keep it: it is what a witness holds and what a later consistency proof is checked against.</summary>
    [MaxLength(4096)]
    public required string Checkpoint { get; init; }

    /// <summary>How many ledger entries the checkpoint covers (entries 0 to treeSize − 1).</summary>
    public required long TreeSize { get; init; }

    /// <summary>The RFC 9162 Merkle tree hash over those entries, lower-case hex.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-f]{64}$")]
    public required string RootHash { get; init; }

    /// <summary>When the exchange signed it.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>
    /// When the exchange has a time-stamp authority: the RFC 3161 TimeStampToken (DER, base64) over the ASCII bytes of
    /// <see cref="Checkpoint"/>, proving the checkpoint existed by the authority's time.
    /// </summary>
    public byte[]? TimestampToken { get; init; }
}

/// <summary>What a checkpoint JWS signs.</summary>
public sealed record AuditCheckpointPayload
{
    /// <summary>How many entries the tree holds.</summary>
    public required long TreeSize { get; init; }

    /// <summary>The Merkle tree hash, lower-case hex.</summary>
    public required string RootHash { get; init; }

    /// <summary>When the exchange signed it.</summary>
    public required DateTimeOffset IssuedAt { get; init; }
}

/// <summary>
/// One ledger entry as exported (operators only). <see cref="Entry"/> holds the exact bytes that were hashed: a JSON
/// object with <c>index</c>, <c>kind</c>, <c>occurredAt</c>, <c>actor</c>, <c>subject</c>, <c>parties</c>,
/// <c>details</c> and <c>previousHash</c> (the entry hash of the entry before, so the entries form a hash chain).
/// The entry hash is the RFC 9162 leaf hash, SHA-256(0x00 || entry).
/// </summary>
public sealed record AuditLedgerEntry
{
    /// <summary>Position in the ledger, from 0; also the Merkle leaf index.</summary>
    public required long Index { get; init; }

    /// <summary>What changed, e.g. <c>report.accepted</c> or <c>case.status_changed</c>.</summary>
    [MaxLength(64)]
    public required string Kind { get; init; }

    /// <summary>When the change was committed.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Who made the change: a tenant id, or <c>exchange</c>.</summary>
    [MaxLength(ReportLimits.TenantId)]
    public required string Actor { get; init; }

    /// <summary>SHA-256(0x00 || entry), lower-case hex.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-f]{64}$")]
    public required string EntryHash { get; init; }

    /// <summary>The exact entry bytes (UTF-8 JSON, one line), base64.</summary>
    public required byte[] Entry { get; init; }
}

/// <summary>RFC 9162 inclusion proof of one ledger entry in the tree of a given size; the evidence bundle's <c>inclusion-proof.json</c>.</summary>
public sealed record AuditInclusionProof
{
    /// <summary>The entry's index (Merkle leaf index).</summary>
    public required long Index { get; init; }

    /// <summary>The size of the tree the proof is for; a checkpoint of this size holds the root.</summary>
    public required long TreeSize { get; init; }

    /// <summary>SHA-256(0x00 || entry), lower-case hex.</summary>
    [Length(64, 64)]
    public required string LeafHash { get; init; }

    /// <summary>The sibling hashes from the leaf up to the root, lower-case hex.</summary>
    [MaxLength(64), ItemLength(64, 64)]
    public required IReadOnlyList<string> AuditPath { get; init; }

    /// <summary>The exact entry bytes (UTF-8 JSON), base64.</summary>
    public required byte[] Entry { get; init; }
}

/// <summary>RFC 9162 consistency proof: the tree of size <see cref="From"/> is a prefix of the tree of size <see cref="To"/>.</summary>
public sealed record AuditConsistencyProof
{
    /// <summary>The older tree size.</summary>
    public required long From { get; init; }

    /// <summary>The newer tree size.</summary>
    public required long To { get; init; }

    /// <summary>The proof's hashes, lower-case hex.</summary>
    [MaxLength(128), ItemLength(64, 64)]
    public required IReadOnlyList<string> Proof { get; init; }
}
