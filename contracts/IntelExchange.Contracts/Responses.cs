using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntelExchange.Contracts;

/// <summary>The 202 answer to <c>POST /v1/reports</c>.</summary>
public sealed record ReportAccepted
{
    /// <summary>The exchange's id for the report.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>Always <c>received</c> on acceptance.</summary>
    public required ReportStatus Status { get; init; }

    /// <summary>When the exchange committed the report.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>SHA-256 of the exact body bytes received, lower-case hex.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-f]{64}$")]
    public required string BodySha256 { get; init; }

    /// <summary>One case per recipient agency.</summary>
    [MaxLength(ReportLimits.MaxRecipients)]
    public required IReadOnlyList<CaseSummary> Cases { get; init; }

    /// <summary>Compact JWS (ES256) signed by the exchange; payload holds reportId, tenant, bodySha256, jti, receivedAt.</summary>
    [MaxLength(4096)]
    public required string Receipt { get; init; }

    /// <summary>Every target as checked against the protected-infrastructure lists, with its flags.</summary>
    [MaxLength(ReportLimits.MaxTargets)]
    public IReadOnlyList<ReportTargetCheck>? Targets { get; init; }
}

/// <summary>A case as listed with its report.</summary>
public sealed record CaseSummary
{
    /// <summary>The case id.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The recipient agency's tenant id.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Agency { get; init; }

    /// <summary>Where the case stands.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>Per target: its outcome in this case and any earlier open case it duplicates. Absent in lists.</summary>
    [MaxLength(ReportLimits.MaxTargets)]
    public IReadOnlyList<CaseTargetOutcome>? Targets { get; init; }
}

/// <summary>A stored report as its submitter, or an agency with a case on it, sees it.</summary>
public sealed record ReportDetails
{
    /// <summary>The exchange's id for the report.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The submitting tenant.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Submitter { get; init; }

    /// <summary>The submitter's own reference.</summary>
    [MaxLength(ReportLimits.ExternalId)]
    public required string ExternalId { get; init; }

    /// <summary>Report status.</summary>
    public required ReportStatus Status { get; init; }

    /// <summary>When the exchange committed the report.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>SHA-256 of the exact body bytes received, lower-case hex.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-f]{64}$")]
    public required string BodySha256 { get; init; }

    /// <summary>The key id that signed the body.</summary>
    [MaxLength(256)]
    public required string SigningKeyId { get; init; }

    /// <summary>The report as parsed.</summary>
    public required InfringementReport Report { get; init; }

    /// <summary>The report's cases visible to the caller (all of them for the submitter, its own for an agency).</summary>
    [MaxLength(ReportLimits.MaxRecipients)]
    public required IReadOnlyList<CaseSummary> Cases { get; init; }

    /// <summary>Every target as checked against the protected-infrastructure lists, with its flags.</summary>
    [MaxLength(ReportLimits.MaxTargets)]
    public IReadOnlyList<ReportTargetCheck>? Targets { get; init; }
}

/// <summary>A page of a list: <c>next</c> is an opaque cursor, or null on the last page.</summary>
public sealed record Page<T>
{
    /// <summary>The items of this page.</summary>
    [MaxLength(ReportLimits.MaxPageSize)]
    public required IReadOnlyList<T> Items { get; init; }

    /// <summary>Pass as <c>after</c> to get the next page; null when there is none.</summary>
    [MaxLength(ReportLimits.MaxCursor)]
    public required string? Next { get; init; }
}

/// <summary>A report as listed.</summary>
public sealed record ReportListItem
{
    /// <summary>The exchange's id for the report.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The submitter's own reference.</summary>
    [MaxLength(ReportLimits.ExternalId)]
    public required string ExternalId { get; init; }

    /// <summary>Report status.</summary>
    public required ReportStatus Status { get; init; }

    /// <summary>Category of the report.</summary>
    public required ReportCategory Category { get; init; }

    /// <summary>When the exchange committed the report.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The report's cases.</summary>
    [MaxLength(ReportLimits.MaxRecipients)]
    public required IReadOnlyList<CaseSummary> Cases { get; init; }
}

/// <summary>An item of an agency's intel feed: one case shared with it.</summary>
public sealed record IntelItem
{
    /// <summary>The case id.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The report id.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The submitting tenant.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Submitter { get; init; }

    /// <summary>Where the case stands now.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>When the case was shared with the agency.</summary>
    public required DateTimeOffset SharedAt { get; init; }

    /// <summary>SHA-256 of the exact signed body, lower-case hex.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-f]{64}$")]
    public required string BodySha256 { get; init; }

    /// <summary>The exact signed body, base64 (so the agency can verify the signature itself).</summary>
    [MaxLength(ReportLimits.MaxBodyBase64)]
    public required string SignedBody { get; init; }

    /// <summary>The submitter's detached JWS over <see cref="SignedBody"/>.</summary>
    [MaxLength(4096)]
    public required string Signature { get; init; }

    /// <summary>The report as parsed.</summary>
    public required InfringementReport Report { get; init; }
}

/// <summary>The caller's identity, from its client certificate.</summary>
public sealed record PartnerIdentity
{
    /// <summary>Tenant id.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string TenantId { get; init; }

    /// <summary>Tenant display name.</summary>
    [MaxLength(200)]
    public required string Name { get; init; }

    /// <summary>Roles the tenant holds: reporter, agency, operator.</summary>
    [MaxLength(3), ItemLength(6, 8)]
    public required IReadOnlyList<string> Roles { get; init; }
}

/// <summary>Status of a report as a whole.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReportStatus>))]
public enum ReportStatus
{
    /// <summary>Stored and shared; no case decided yet.</summary>
    [JsonStringEnumMemberName("received")] Received,
    /// <summary>At least one case is being handled.</summary>
    [JsonStringEnumMemberName("in_progress")] InProgress,
    /// <summary>Every case has reached a terminal state.</summary>
    [JsonStringEnumMemberName("closed")] Closed,
}

/// <summary>Where a case stands in its lifecycle.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CaseStatus>))]
public enum CaseStatus
{
    /// <summary>Shared with the agency, not yet looked at.</summary>
    [JsonStringEnumMemberName("received")] Received,
    /// <summary>The agency is reviewing it.</summary>
    [JsonStringEnumMemberName("under_review")] UnderReview,
    /// <summary>The agency needs more from the submitter.</summary>
    [JsonStringEnumMemberName("more_info_requested")] MoreInfoRequested,
    /// <summary>The agency ordered ISPs to block.</summary>
    [JsonStringEnumMemberName("order_issued")] OrderIssued,
    /// <summary>ISPs enforce the order.</summary>
    [JsonStringEnumMemberName("enforced")] Enforced,
    /// <summary>The block was lifted (terminal).</summary>
    [JsonStringEnumMemberName("lifted")] Lifted,
    /// <summary>The agency rejected the report (terminal).</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,
    /// <summary>The submitter withdrew the report (terminal).</summary>
    [JsonStringEnumMemberName("withdrawn")] Withdrawn,
}
