using System.Collections.Frozen;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Cases;

/// <summary>The case lifecycle of DESIGN.md: which moves exist, which are terminal, and whose move each one is.</summary>
internal static class CaseTransitions
{
    private static readonly FrozenDictionary<CaseStatus, FrozenSet<CaseStatus>> Allowed = new Dictionary<CaseStatus, FrozenSet<CaseStatus>>
    {
        [CaseStatus.Received] = FrozenSet.ToFrozenSet([CaseStatus.UnderReview, CaseStatus.Rejected, CaseStatus.Withdrawn]),
        [CaseStatus.UnderReview] = FrozenSet.ToFrozenSet([CaseStatus.MoreInfoRequested, CaseStatus.OrderIssued, CaseStatus.Rejected, CaseStatus.Withdrawn]),
        [CaseStatus.MoreInfoRequested] = FrozenSet.ToFrozenSet([CaseStatus.UnderReview, CaseStatus.Rejected, CaseStatus.Withdrawn]),
        [CaseStatus.OrderIssued] = FrozenSet.ToFrozenSet([CaseStatus.Enforced, CaseStatus.Lifted]),
        [CaseStatus.Enforced] = FrozenSet.ToFrozenSet([CaseStatus.Lifted]),
    }.ToFrozenDictionary();

    public static bool Allows(CaseStatus from, CaseStatus to) => Allowed.TryGetValue(from, out var next) && next.Contains(to);

    public static bool IsTerminal(CaseStatus status) => status is CaseStatus.Rejected or CaseStatus.Withdrawn or CaseStatus.Lifted;

    /// <summary>Withdrawing is the submitter's move; every other move is the agency's.</summary>
    public static bool IsSubmitterMove(CaseStatus to) => to == CaseStatus.Withdrawn;

    /// <summary>Orders the exchange lifts by itself once <c>effectiveUntil</c> has passed.</summary>
    public static bool IsInForce(CaseStatus status) => status is CaseStatus.OrderIssued or CaseStatus.Enforced;
}
