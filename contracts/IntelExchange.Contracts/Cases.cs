using System.ComponentModel.DataAnnotations;

namespace IntelExchange.Contracts;

/// <summary>The body of <c>POST /v1/cases/{caseId}/status</c>: the move the caller makes.</summary>
public sealed record UpdateCaseStatusRequest
{
    /// <summary>The status to move to.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>Why (recorded in the history and sent to the submitter).</summary>
    [MaxLength(CaseLimits.Reason)]
    public string? Reason { get; init; }

    /// <summary>The order's reference (e.g. <c>Resolución 149-2021/CDA-INDECOPI</c>); required for, and only for, <c>order_issued</c>.</summary>
    [MaxLength(ReportLimits.Reference)]
    public string? OrderReference { get; init; }

    /// <summary>When the order stops having effect; required for, and only for, <c>order_issued</c>. The exchange lifts it then.</summary>
    public DateTimeOffset? EffectiveUntil { get; init; }

    /// <summary>A free-text note for the history.</summary>
    [MaxLength(CaseLimits.Note)]
    public string? Note { get; init; }

    /// <summary>
    /// For <c>order_issued</c>, required when the order covers a flagged target: the agency's reason to order it anyway.
    /// </summary>
    public SafeguardOverride? SafeguardOverride { get; init; }

    /// <summary>For <c>order_issued</c>: the indexes of the targets the order covers (a partial order); absent, it covers all.</summary>
    [Length(1, ReportLimits.MaxTargets)]
    public IReadOnlyList<int>? OrderedTargets { get; init; }

    /// <summary>For a partial order, required: why the targets left out are not ordered.</summary>
    [MaxLength(CaseLimits.Reason)]
    public string? NotOrderedReason { get; init; }
}

/// <summary>A case with its full history, as its agency and the report's submitter see it.</summary>
public sealed record CaseDetails
{
    /// <summary>The case id.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The report the case belongs to.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The submitter's own reference for the report.</summary>
    [MaxLength(ReportLimits.ExternalId)]
    public required string ExternalId { get; init; }

    /// <summary>The agency that decides the case.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Agency { get; init; }

    /// <summary>The tenant that submitted the report.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Submitter { get; init; }

    /// <summary>Where the case stands.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>The sequence of the latest change (1 = received).</summary>
    public required int Sequence { get; init; }

    /// <summary>The order's reference, once an order was issued.</summary>
    [MaxLength(ReportLimits.Reference)]
    public required string? OrderReference { get; init; }

    /// <summary>When the order stops having effect, once an order was issued.</summary>
    public required DateTimeOffset? EffectiveUntil { get; init; }

    /// <summary>When the case was opened.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the case last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Every change, in sequence order.</summary>
    [MaxLength(CaseLimits.MaxHistory)]
    public required IReadOnlyList<CaseHistoryEntry> History { get; init; }

    /// <summary>Per target: its outcome in this case and any earlier open case of the agency it duplicates.</summary>
    [MaxLength(ReportLimits.MaxTargets)]
    public IReadOnlyList<CaseTargetOutcome>? Targets { get; init; }
}

/// <summary>One change of a case.</summary>
public sealed record CaseHistoryEntry
{
    /// <summary>Per-case sequence (1, 2, 3…).</summary>
    public required int Sequence { get; init; }

    /// <summary>The status the case moved to.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>The status before the change; null for the first entry.</summary>
    public required CaseStatus? PreviousStatus { get; init; }

    /// <summary>Who made the change: a tenant id, or <c>exchange</c> for the expiry job.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Actor { get; init; }

    /// <summary>Why, as given by the actor.</summary>
    [MaxLength(CaseLimits.Reason)]
    public required string? Reason { get; init; }

    /// <summary>The order's reference, for <c>order_issued</c>.</summary>
    [MaxLength(ReportLimits.Reference)]
    public required string? OrderReference { get; init; }

    /// <summary>When the order stops having effect, for <c>order_issued</c>.</summary>
    public required DateTimeOffset? EffectiveUntil { get; init; }

    /// <summary>A free-text note.</summary>
    [MaxLength(CaseLimits.Note)]
    public required string? Note { get; init; }

    /// <summary>For an order that covers flagged targets: the override, its reason and who gave it.</summary>
    public SafeguardOverrideEntry? SafeguardOverride { get; init; }

    /// <summary>For a partial order: the indexes of the targets it covers.</summary>
    [MaxLength(ReportLimits.MaxTargets)]
    public IReadOnlyList<int>? OrderedTargets { get; init; }

    /// <summary>For a partial order: why the other targets are not ordered.</summary>
    [MaxLength(CaseLimits.Reason)]
    public string? NotOrderedReason { get; init; }

    /// <summary>When the change happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}
