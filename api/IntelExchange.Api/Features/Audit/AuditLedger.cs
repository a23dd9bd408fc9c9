using System.Text.Json;
using System.Text.Json.Serialization;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>Every kind of state change the ledger records. The wire name is part of each hashed entry: never rename one.</summary>
internal enum AuditEntryKind
{
    [JsonStringEnumMemberName("report.accepted")] ReportAccepted,
    [JsonStringEnumMemberName("case.status_changed")] CaseStatusChanged,
    [JsonStringEnumMemberName("tenant.registered")] TenantRegistered,
    [JsonStringEnumMemberName("tenant.changed")] TenantChanged,
    [JsonStringEnumMemberName("credential.registered")] CredentialRegistered,
    [JsonStringEnumMemberName("credential.revoked")] CredentialRevoked,
    [JsonStringEnumMemberName("signing_key.registered")] SigningKeyRegistered,
    [JsonStringEnumMemberName("signing_key.retired")] SigningKeyRetired,
    [JsonStringEnumMemberName("agreement.set")] AgreementSet,
    [JsonStringEnumMemberName("agreement.removed")] AgreementRemoved,
    [JsonStringEnumMemberName("protected_infrastructure.changed")] ProtectedInfrastructureChanged,
    [JsonStringEnumMemberName("webhook.registered")] WebhookRegistered,
    [JsonStringEnumMemberName("webhook.rotated")] WebhookRotated,
    [JsonStringEnumMemberName("safeguard.overridden")] SafeguardOverridden,
}

/// <summary>What an entry is about, and the tenants it concerns (who, besides operators, may see its proof).</summary>
internal sealed record AuditSubject(string Type, string Id, IReadOnlyCollection<string> Parties)
{
    public static AuditSubject Report(Guid reportId, IEnumerable<string> parties) => new("report", reportId.ToString(), parties.ToArray());

    public static AuditSubject Case(Guid caseId, params string[] parties) => new("case", caseId.ToString(), parties);

    public static AuditSubject Tenant(string tenantId) => new("tenant", tenantId, [tenantId]);

    public static AuditSubject Agreement(string reporter, string agency) => new("agreement", $"{reporter}>{agency}", [reporter, agency]);
}

/// <summary>
/// The append-only, hash-chained audit ledger. <see cref="AppendAsync"/> is one call inside the caller's transaction,
/// just before its save: the entry commits (or not) with the change it records.
/// </summary>
internal sealed class AuditLedger(TimeProvider clock)
{
    /// <summary>The previousHash of entry 0.</summary>
    public static readonly byte[] GenesisHash = new byte[Contracts.MerkleTree.HashSize];

    /// <summary>
    /// Adds an entry for <paramref name="kind"/> to the unit of work. Takes the ledger head's row lock (PostgreSQL) until
    /// commit, so call it last, right before <c>SaveChangesAsync</c>, after any other row locks the caller takes: one
    /// lock order rules out deadlocks. Every append in the exchange waits for that lock, so the caller's pending
    /// changes (a report body may be 1 MiB) are written first, still uncommitted, and only the entry, the head and the
    /// commit happen while it is held.
    /// </summary>
    public async Task AppendAsync(ExchangeDb db, AuditEntryKind kind, string actor, AuditSubject subject, object details, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Audit entries are appended inside the transaction of the change they record.");
        }
        // Every caller rolls its transaction back whole when a save fails, so the savepoint EF would wrap around each
        // save is two round trips for nothing, one of them under the lock. The pooled context resets this on return.
        db.Database.AutoSavepointsEnabled = false;
        if (db.IsPostgres && db.ChangeTracker.HasChanges() && !HeadIsPending(db))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        var head = await LockHeadAsync(db, cancellationToken);
        var occurredAt = clock.GetUtcNow();
        var parties = subject.Parties.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var entry = JsonSerializer.SerializeToUtf8Bytes(new EntryDocument(
            head.Size, kind, occurredAt, actor, new SubjectDocument(subject.Type, subject.Id), parties, details,
            Convert.ToHexStringLower(head.LastHash)), ExchangeJson.Strict);
        var entryHash = Contracts.MerkleTree.LeafHash(entry);

        db.Set<AuditEntryRecord>().Add(new AuditEntryRecord
        {
            Index = head.Size,
            Kind = kind,
            Actor = actor,
            SubjectType = subject.Type,
            SubjectId = subject.Id,
            Parties = string.Join(' ', parties),
            OccurredAt = occurredAt,
            Entry = entry,
            EntryHash = entryHash,
        });
        head.Size++;
        head.LastHash = entryHash;
    }

    private static bool HeadIsPending(ExchangeDb db) =>
        db.Set<AuditLedgerHead>().Local.SingleOrDefault() is { } head && db.Entry(head).State == EntityState.Modified;

    /// <summary>
    /// The head, locked for this transaction. An earlier append in the same unit of work left it modified in the change
    /// tracker, and then it is current; otherwise it is read again under the lock, since another instance may have moved it.
    /// </summary>
    private static async Task<AuditLedgerHead> LockHeadAsync(ExchangeDb db, CancellationToken cancellationToken)
    {
        var heads = db.Set<AuditLedgerHead>();
        if (heads.Local.SingleOrDefault() is { } tracked)
        {
            if (db.Entry(tracked).State == EntityState.Modified)
            {
                return tracked;
            }
            db.Entry(tracked).State = EntityState.Detached;
        }
        return db.IsPostgres
            ? await heads.FromSql($"""SELECT * FROM "AuditLedgerHeads" WHERE "Id" = {AuditLedgerHead.SingletonId} FOR UPDATE""").SingleAsync(cancellationToken)
            : await heads.SingleAsync(h => h.Id == AuditLedgerHead.SingletonId, cancellationToken);
    }

    /// <summary>The hashed form; property order is fixed by declaration, so the bytes are the same on every instance.</summary>
    private sealed record EntryDocument(
        long Index, AuditEntryKind Kind, DateTimeOffset OccurredAt, string Actor, SubjectDocument Subject,
        IReadOnlyList<string> Parties, object Details, string PreviousHash);

    private sealed record SubjectDocument(string Type, string Id);
}
