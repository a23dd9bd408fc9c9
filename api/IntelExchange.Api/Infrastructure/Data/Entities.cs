using IntelExchange.Contracts;

namespace IntelExchange.Api.Infrastructure.Data;

[Flags]
public enum TenantRoles
{
    None = 0,
    Reporter = 1,
    Agency = 2,
    Operator = 4,
}

internal sealed class Tenant
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public TenantRoles Roles { get; set; }
    public bool Suspended { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A client certificate pinned to a tenant by the SHA-256 of its DER.</summary>
internal sealed class ClientCredential
{
    public required string Thumbprint { get; init; }
    public required string TenantId { get; init; }
    public required string Subject { get; init; }
    public DateTimeOffset NotBefore { get; init; }
    public DateTimeOffset NotAfter { get; init; }

    /// <summary>The certificate itself (PEM), for evidence bundles; the thumbprint pins it.</summary>
    public string? CertificatePem { get; set; }
    public DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class SigningKey
{
    public required string Kid { get; init; }
    public required string TenantId { get; init; }
    public required string PublicKeyPem { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    public DateTimeOffset? RetiredAt { get; set; }
}

internal sealed class SharingAgreement
{
    public required string ReporterId { get; init; }
    public required string AgencyId { get; init; }
    public bool IsDefault { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One row whose version moves on every change to tenants, credentials, keys or agreements.</summary>
internal sealed class DirectoryState
{
    public int Id { get; init; }
    public long Version { get; set; }
}

internal sealed class ReportRecord
{
    public required Guid Id { get; init; }
    public required string TenantId { get; init; }
    public required string ExternalId { get; init; }
    public required ReportCategory Category { get; init; }
    public required ReportStatus Status { get; set; }
    public DateTimeOffset ReceivedAt { get; init; }
    public required byte[] Body { get; init; }
    public required string Jws { get; init; }
    public required string BodySha256 { get; init; }
    public required string Kid { get; init; }
    public required string Jti { get; init; }
    public required string ClientCertificateThumbprint { get; init; }
    public required string Receipt { get; init; }

    /// <summary>For a live_sports_streaming report with a liveEvent: when the event ends (the default end of its orders).</summary>
    public DateTimeOffset? LiveEventEndsAt { get; init; }
    public List<CaseRecord> Cases { get; init; } = [];
}

internal sealed class CaseRecord
{
    public required Guid Id { get; init; }
    public required Guid ReportId { get; init; }
    public required string AgencyId { get; init; }
    public required string ReporterId { get; init; }
    public required CaseStatus Status { get; set; }
    public int Sequence { get; set; }
    public string? OrderReference { get; set; }
    public DateTimeOffset? EffectiveUntil { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Position in the agency's intel feed; assigned in commit order by the sequencer.</summary>
    public long? FeedPosition { get; set; }

    // Safeguards and statistics: fixed at intake, or kept up to date by CaseChanges, so that GET /v1/stats is one GROUP BY.
    public int TargetCount { get; init; }
    public int FlaggedTargets { get; init; }
    public int DuplicateTargets { get; init; }

    /// <summary>UTC <c>yyyy-MM</c> of <see cref="CreatedAt"/>: a portable GROUP BY key on SQLite and PostgreSQL.</summary>
    public string OpenedMonth { get; init; } = "";

    /// <summary>Milliseconds from opening to the first decision (order or rejection).</summary>
    public long? DecisionMilliseconds { get; set; }
    public bool Enforced { get; set; }
    public bool SafeguardOverridden { get; set; }

    /// <summary>JSON array of the target indexes a partial order covers; null when the order covers every target.</summary>
    public string? OrderedTargets { get; set; }

    /// <summary>Why targets are not ordered: a partial order's notOrderedReason, or the rejection's or withdrawal's reason.</summary>
    public string? NotOrderedReason { get; set; }
    public ReportRecord? Report { get; init; }
    public List<CaseEvent> History { get; init; } = [];
}

internal sealed class CaseEvent
{
    public required Guid Id { get; init; }
    public required Guid CaseId { get; init; }
    public int Sequence { get; init; }
    public required CaseStatus Status { get; init; }
    public CaseStatus? PreviousStatus { get; init; }
    public required string Actor { get; init; }
    public string? Reason { get; init; }
    public string? OrderReference { get; init; }
    public DateTimeOffset? EffectiveUntil { get; init; }
    public string? Note { get; init; }
    public string? SafeguardOverrideReason { get; init; }

    /// <summary>JSON array of the flagged target indexes the overriding order covers.</summary>
    public string? SafeguardOverrideTargets { get; init; }

    /// <summary>JSON array of the target indexes a partial order covers.</summary>
    public string? OrderedTargets { get; init; }
    public string? NotOrderedReason { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public CaseRecord? Case { get; init; }
}

internal sealed class IdempotencyRecord
{
    public required string TenantId { get; init; }
    public required string Key { get; init; }
    public required string Operation { get; init; }
    public required string RequestSha256 { get; init; }
    public int StatusCode { get; init; }
    public required byte[] ResponseBody { get; init; }
    public string? Location { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class OutboxMessage
{
    public required Guid Id { get; init; }
    public required string MessageType { get; init; }

    /// <summary>The recipient tenant whose endpoint the message is sent to.</summary>
    public required string Destination { get; init; }
    public required string Body { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>The W3C <c>traceparent</c> of the span that wrote the row, so its send continues that trace.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>A counter whose row lock orders concurrent writers (feed positions).</summary>
internal sealed class SequenceCounter
{
    public required string Name { get; init; }
    public long Value { get; set; }
}

/// <summary>A time-limited lease that lets one instance run a singleton job (SQLite has no SKIP LOCKED).</summary>
internal sealed class JobLease
{
    public required string Name { get; init; }
    public required string Holder { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>A tenant's callback endpoint and its Standard Webhooks secret(s).</summary>
internal sealed class WebhookEndpoint
{
    public required string TenantId { get; init; }
    public required string Url { get; set; }

    /// <summary><c>whsec_</c> + base64 key. Kept as is: the exchange needs the key itself to sign.</summary>
    public required string Secret { get; set; }

    /// <summary>The secret replaced by the last rotation, still signed with until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One case change to POST to the submitter's webhook, with its delivery state (survives restarts).</summary>
internal sealed class CallbackDelivery
{
    public required Guid Id { get; init; }
    public required string TenantId { get; init; }
    public required Guid CaseId { get; init; }

    /// <summary>The case change's sequence: per case, n + 1 is never sent before n is delivered or dead.</summary>
    public required int Sequence { get; init; }

    /// <summary>The exact JSON body, signed afresh on every attempt.</summary>
    public required byte[] Body { get; init; }
    public required CallbackDeliveryStatus Status { get; set; }

    /// <summary>Every attempt ever made.</summary>
    public int Attempts { get; set; }

    /// <summary>Attempts since the delivery was (re)scheduled; indexes the retry schedule.</summary>
    public int ScheduleStep { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>Set while one instance is sending it, so no other instance sends it at the same time.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public string? LeaseHolder { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the case change, so every attempt continues that trace.</summary>
    public string? TraceParent { get; init; }
}
