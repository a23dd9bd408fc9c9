using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntelExchange.Contracts;

/// <summary>Why a target deserves a second look before anyone orders it blocked. A flag never refuses a report.</summary>
public sealed record TargetFlag
{
    /// <summary>What kind of concern: <c>protected_infrastructure</c> (a shared platform, CDN, cloud or host).</summary>
    [MaxLength(64)]
    public required string Code { get; init; }

    /// <summary>The rule that matched, stable: <c>domain_suffix:google.com</c> or <c>cidr:104.16.0.0/13</c>.</summary>
    [MaxLength(SafeguardLimits.Rule)]
    public required string Rule { get; init; }

    /// <summary>What matched and whose infrastructure it is, for a person to read.</summary>
    [MaxLength(SafeguardLimits.Detail)]
    public required string Detail { get; init; }
}

/// <summary>One target of a report as the exchange checked it against the protected-infrastructure lists.</summary>
public sealed record ReportTargetCheck
{
    /// <summary>The target's position in the report's <c>targets</c> (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>The target's kind.</summary>
    public required TargetType Type { get; init; }

    /// <summary>What identifies the target: its value, or the app id / download URL / name of an app.</summary>
    [MaxLength(ReportLimits.Url)]
    public required string? Value { get; init; }

    /// <summary>The target's flags; empty when nothing matched.</summary>
    [MaxLength(SafeguardLimits.MaxFlagsPerTarget)]
    public required IReadOnlyList<TargetFlag> Flags { get; init; }
}

/// <summary>What became of one target within one case.</summary>
public sealed record CaseTargetOutcome
{
    /// <summary>The target's position in the report's <c>targets</c> (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>Pending until the agency decides; then ordered or not ordered.</summary>
    public required TargetOutcome Outcome { get; init; }

    /// <summary>Why the target was not ordered (the move's <c>notOrderedReason</c>, or the rejection's reason).</summary>
    [MaxLength(CaseLimits.Reason)]
    public required string? Reason { get; init; }

    /// <summary>
    /// Set when the same target was already in an open case of the same agency when this case was opened, so the agency
    /// handles one request per target. The ids are null when that earlier case is another submitter's.
    /// </summary>
    public required TargetDuplicate? DuplicateOf { get; init; }
}

/// <summary>The earlier open case of the same agency that already holds a target.</summary>
public sealed record TargetDuplicate
{
    /// <summary>The earlier case; null when it is another submitter's.</summary>
    public required Guid? CaseId { get; init; }

    /// <summary>The earlier case's report; null when it is another submitter's.</summary>
    public required Guid? ReportId { get; init; }

    /// <summary>The target's index in the earlier report; null when it is another submitter's.</summary>
    public required int? Index { get; init; }
}

/// <summary>Where a target stands within a case.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TargetOutcome>))]
public enum TargetOutcome
{
    /// <summary>Not decided yet.</summary>
    [JsonStringEnumMemberName("pending")] Pending,
    /// <summary>Covered by the case's blocking order.</summary>
    [JsonStringEnumMemberName("ordered")] Ordered,
    /// <summary>Left out of the order, or the case was rejected or withdrawn.</summary>
    [JsonStringEnumMemberName("not_ordered")] NotOrdered,
}

/// <summary>An agency's deliberate decision to order a case although some of its ordered targets are flagged.</summary>
public sealed record SafeguardOverride
{
    /// <summary>Why the order is right despite the flags (recorded in the case history with who gave it).</summary>
    [MaxLength(CaseLimits.Reason)]
    public required string Reason { get; init; }
}

/// <summary>A safeguard override as recorded in a case's history.</summary>
public sealed record SafeguardOverrideEntry
{
    /// <summary>Why the order was given despite the flags.</summary>
    [MaxLength(CaseLimits.Reason)]
    public required string Reason { get; init; }

    /// <summary>The tenant that gave the override (from its client certificate).</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string GivenBy { get; init; }

    /// <summary>The indexes of the flagged targets the order covers.</summary>
    [MaxLength(ReportLimits.MaxTargets)]
    public required IReadOnlyList<int> FlaggedTargets { get; init; }
}

/// <summary>The body of <c>POST /v1/operator/protected-infrastructure</c>: one addition to the protected lists.</summary>
public sealed record AddProtectedEntryRequest
{
    /// <summary><c>domain</c> (a suffix: protects the name and every name under it) or <c>cidr</c> (an IPv4 or IPv6 range).</summary>
    public required ProtectedEntryKind Kind { get; init; }

    /// <summary>The domain (IDN allowed) or the range in CIDR form, e.g. <c>203.0.113.0/24</c>; a bare address is one host.</summary>
    [MaxLength(300)]
    public required string Value { get; init; }

    /// <summary>Whose infrastructure it is and why it is protected.</summary>
    [MaxLength(SafeguardLimits.Reason)]
    public required string Reason { get; init; }
}

/// <summary>An operator-managed addition to the protected lists.</summary>
public sealed record ProtectedEntry
{
    /// <summary>The entry id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Domain suffix or CIDR range.</summary>
    public required ProtectedEntryKind Kind { get; init; }

    /// <summary>The normalised value: punycode lower-case domain, or canonical CIDR.</summary>
    [MaxLength(300)]
    public required string Value { get; init; }

    /// <summary>Whose infrastructure it is and why it is protected.</summary>
    [MaxLength(SafeguardLimits.Reason)]
    public required string Reason { get; init; }

    /// <summary>The operator tenant that added it.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string AddedBy { get; init; }

    /// <summary>When it was added.</summary>
    public required DateTimeOffset AddedAt { get; init; }
}

/// <summary>The protected lists: the shipped data files (summarised) and the operator's additions (in full).</summary>
public sealed record ProtectedInfrastructureList
{
    /// <summary>The lists shipped with the exchange.</summary>
    [MaxLength(100)]
    public required IReadOnlyList<ShippedProtectedList> Shipped { get; init; }

    /// <summary>The operator's additions, oldest first.</summary>
    [MaxLength(SafeguardLimits.MaxOperatorEntries)]
    public required IReadOnlyList<ProtectedEntry> Additions { get; init; }
}

/// <summary>One data file shipped with the exchange.</summary>
public sealed record ShippedProtectedList
{
    /// <summary>The list's name (its file name without extension).</summary>
    [MaxLength(100)]
    public required string Name { get; init; }

    /// <summary>Whose infrastructure it lists.</summary>
    [MaxLength(200)]
    public required string Owner { get; init; }

    /// <summary>Where its entries were published.</summary>
    [MaxLength(1000)]
    public required string Source { get; init; }

    /// <summary>How many domain suffixes it holds.</summary>
    public required int Domains { get; init; }

    /// <summary>How many CIDR ranges it holds.</summary>
    public required int Ranges { get; init; }
}

/// <summary>Kind of protected entry.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProtectedEntryKind>))]
public enum ProtectedEntryKind
{
    /// <summary>A domain suffix.</summary>
    [JsonStringEnumMemberName("domain")] Domain,
    /// <summary>An IPv4 or IPv6 CIDR range.</summary>
    [JsonStringEnumMemberName("cidr")] Cidr,
}

/// <summary>The size limits of the safeguards.</summary>
public static class SafeguardLimits
{
    /// <summary>Longest flag rule.</summary>
    public const int Rule = 400;

    /// <summary>Longest flag detail.</summary>
    public const int Detail = 1000;

    /// <summary>Most flags on one target.</summary>
    public const int MaxFlagsPerTarget = 20;

    /// <summary>Longest reason of an operator addition.</summary>
    public const int Reason = 500;

    /// <summary>Most operator additions the exchange holds.</summary>
    public const int MaxOperatorEntries = 10_000;
}
