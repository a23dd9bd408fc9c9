using System.Text.Json;
using System.Text.Json.Serialization;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;

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
/// The append-only, hash-chained audit ledger. <see cref="Append"/> adds the entry to the caller's unit of work as a
/// pending entry, so it commits (or not) with the change it records and takes no lock: writes on any instance never
/// queue behind each other for the ledger. <see cref="AuditSequencer"/> then gives committed pending entries their
/// index and chains them, a batch at a time, in one short transaction; every read of the ledger catches it up first.
/// </summary>
internal sealed class AuditLedger(TimeProvider clock)
{
    /// <summary>The previousHash of entry 0.</summary>
    public static readonly byte[] GenesisHash = new byte[Contracts.MerkleTree.HashSize];

    /// <summary>Adds an entry for <paramref name="kind"/> to the unit of work; it is written by the caller's next save.</summary>
    public void Append(ExchangeDb db, AuditEntryKind kind, string actor, AuditSubject subject, object details)
    {
        var parties = subject.Parties.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        db.Set<AuditPendingEntry>().Add(new AuditPendingEntry
        {
            Kind = kind,
            Actor = actor,
            SubjectType = subject.Type,
            SubjectId = subject.Id,
            Parties = string.Join(' ', parties),
            OccurredAt = clock.GetUtcNow(),
            // Serialised now, as the object it is: the details in the hashed entry are the bytes they would be nested.
            Details = JsonSerializer.SerializeToUtf8Bytes(details, details.GetType(), ExchangeJson.Strict),
        });
    }

    /// <summary>The exact bytes of entry <paramref name="index"/>, chained to <paramref name="previousHash"/>.</summary>
    public static byte[] EntryBytes(long index, AuditPendingEntry pending, byte[] previousHash) =>
        JsonSerializer.SerializeToUtf8Bytes(new EntryDocument(
            index, pending.Kind, pending.OccurredAt, pending.Actor, new SubjectDocument(pending.SubjectType, pending.SubjectId),
            pending.Parties.Split(' ', StringSplitOptions.RemoveEmptyEntries), new RawJson(pending.Details),
            Convert.ToHexStringLower(previousHash)), ExchangeJson.Strict);

    /// <summary>The hashed form; property order is fixed by declaration, so the bytes are the same on every instance.</summary>
    private sealed record EntryDocument(
        long Index, AuditEntryKind Kind, DateTimeOffset OccurredAt, string Actor, SubjectDocument Subject,
        IReadOnlyList<string> Parties, RawJson Details, string PreviousHash);

    private sealed record SubjectDocument(string Type, string Id);

    /// <summary>JSON already serialised, written into the entry as it is.</summary>
    [JsonConverter(typeof(RawJsonConverter))]
    private sealed record RawJson(byte[] Utf8);

    private sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Ledger entries are parsed by LedgerEntry, not read back into this form.");

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8, skipInputValidation: true);
    }
}
