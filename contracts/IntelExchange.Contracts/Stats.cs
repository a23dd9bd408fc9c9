using System.ComponentModel.DataAnnotations;

namespace IntelExchange.Contracts;

/// <summary>
/// The answer to <c>GET /v1/stats</c>: figures over the cases opened in [<c>from</c>, <c>to</c>) that the caller may see
/// (a reporter its own, an agency its own, an operator all), in total and per group.
/// </summary>
public sealed record ExchangeStats
{
    /// <summary>Start of the period (inclusive).</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>End of the period (exclusive).</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>What the groups are: <c>category</c>, <c>status</c>, <c>agency</c> or <c>month</c> (UTC, <c>yyyy-MM</c>).</summary>
    [MaxLength(16)]
    public required string GroupBy { get; init; }

    /// <summary>The figures over the whole period.</summary>
    public required StatsFigures Totals { get; init; }

    /// <summary>The figures per group, ordered by key; groups with no case are left out.</summary>
    [MaxLength(StatsLimits.MaxGroups)]
    public required IReadOnlyList<StatsGroup> Groups { get; init; }

    /// <summary>Per reporter: the quality of its reports (a reporter sees only itself).</summary>
    [MaxLength(StatsLimits.MaxGroups)]
    public required IReadOnlyList<ReporterQuality> Reporters { get; init; }
}

/// <summary>One group of <see cref="ExchangeStats"/>.</summary>
public sealed record StatsGroup
{
    /// <summary>The group's key: a category, status, agency id or month.</summary>
    [MaxLength(64)]
    public required string Key { get; init; }

    /// <summary>The group's figures.</summary>
    public required StatsFigures Figures { get; init; }
}

/// <summary>Counts over a set of cases (one case is one report shared with one agency).</summary>
public sealed record StatsFigures
{
    /// <summary>Distinct reports with a case in the set.</summary>
    public required long Reports { get; init; }

    /// <summary>Cases.</summary>
    public required long Cases { get; init; }

    /// <summary>Targets in those cases (a report shared with two agencies counts its targets in each case).</summary>
    public required long Targets { get; init; }

    /// <summary>Targets flagged as protected infrastructure.</summary>
    public required long FlaggedTargets { get; init; }

    /// <summary>Targets linked to an earlier open case of the same agency.</summary>
    public required long DuplicateTargets { get; init; }

    /// <summary>Cases that reached <c>order_issued</c>.</summary>
    public required long Orders { get; init; }

    /// <summary>Cases whose order was enforced (<c>enforced</c>, including those lifted since).</summary>
    public required long EnforcedBlocks { get; init; }

    /// <summary>Cases rejected.</summary>
    public required long Rejections { get; init; }

    /// <summary>Orders given with a safeguard override.</summary>
    public required long Overrides { get; init; }

    /// <summary>Median seconds from the case's opening to its first decision (order or rejection); null if none was decided.</summary>
    public required double? MedianSecondsToDecision { get; init; }
}

/// <summary>How one reporter's reports fare: rejections and duplicates.</summary>
public sealed record ReporterQuality
{
    /// <summary>The reporter's tenant id.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Reporter { get; init; }

    /// <summary>Its cases in the period.</summary>
    public required long Cases { get; init; }

    /// <summary>Of those, decided (ordered or rejected).</summary>
    public required long Decided { get; init; }

    /// <summary>Of those, rejected.</summary>
    public required long Rejections { get; init; }

    /// <summary>Rejections per decided case, 0 to 1; null if none was decided.</summary>
    public required double? RejectionRate { get; init; }

    /// <summary>Its targets in those cases.</summary>
    public required long Targets { get; init; }

    /// <summary>Of those, duplicates of an earlier open case of the same agency.</summary>
    public required long DuplicateTargets { get; init; }

    /// <summary>Duplicate targets per target, 0 to 1; null if there was no target.</summary>
    public required double? DuplicateRate { get; init; }
}

/// <summary>The limits of <c>GET /v1/stats</c>.</summary>
public static class StatsLimits
{
    /// <summary>Most groups (and reporters) in one answer.</summary>
    public const int MaxGroups = 1000;

    /// <summary>Longest period, in days.</summary>
    public const int MaxPeriodDays = 3700;
}
