namespace IntelExchange.Api.Features.Audit;

/// <summary>One ledger entry. Never updated or deleted (a trigger refuses it); appended only through <see cref="AuditLedger"/>.</summary>
internal sealed class AuditEntryRecord
{
    /// <summary>Position from 0, without gaps; the Merkle leaf index.</summary>
    public required long Index { get; init; }
    public required AuditEntryKind Kind { get; init; }
    public required string Actor { get; init; }
    public required string SubjectType { get; init; }
    public required string SubjectId { get; init; }

    /// <summary>The tenants the entry concerns, space-separated: they (and operators) may have its inclusion proof.</summary>
    public required string Parties { get; init; }
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The exact bytes hashed (UTF-8 JSON); the columns above are copies of what it says, for queries.</summary>
    public required byte[] Entry { get; init; }

    /// <summary>SHA-256(0x00 || Entry): the RFC 9162 leaf hash, and the link the next entry's previousHash names.</summary>
    public required byte[] EntryHash { get; init; }

    public IReadOnlyList<string> PartyList => Parties.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// An entry committed with its change and not yet chained: <see cref="AuditSequencer"/> turns it into the next
/// <see cref="AuditEntryRecord"/> and deletes it, in one transaction. <see cref="Id"/> only orders the queue.
/// </summary>
internal sealed class AuditPendingEntry
{
    public long Id { get; init; }
    public required AuditEntryKind Kind { get; init; }
    public required string Actor { get; init; }
    public required string SubjectType { get; init; }
    public required string SubjectId { get; init; }

    /// <summary>Space-separated, distinct and in ordinal order: as the entry will list them.</summary>
    public required string Parties { get; init; }
    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The entry's details, already serialised (UTF-8 JSON).</summary>
    public required byte[] Details { get; init; }
}

/// <summary>
/// The single row that orders the chain: the next index and the hash of the last entry. Locked (FOR UPDATE on
/// PostgreSQL) by the sequencer for one batch, so the chain stays linear across instances.
/// </summary>
internal sealed class AuditLedgerHead
{
    public const int SingletonId = 1;

    public int Id { get; init; }
    public long Size { get; set; }
    public required byte[] LastHash { get; set; }
}

/// <summary>A signed tree head over the first <see cref="TreeSize"/> entries.</summary>
internal sealed class AuditCheckpointRecord
{
    public required long TreeSize { get; init; }
    public required byte[] RootHash { get; init; }
    public DateTimeOffset IssuedAt { get; init; }

    /// <summary>The compact JWS, exactly as issued and as witnesses hold it.</summary>
    public required string Jws { get; init; }

    /// <summary>RFC 3161 TimeStampToken (DER) over the JWS's ASCII bytes, when a time-stamp authority is configured.</summary>
    public byte[]? TimestampToken { get; init; }
}
