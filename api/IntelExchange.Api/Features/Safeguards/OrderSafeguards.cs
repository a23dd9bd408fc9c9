using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>
/// The rule that makes a silent overblock impossible (DESIGN.md, safeguards): a case with a flagged target moves to
/// order_issued only with the agency's explicit override, whose reason and giver go into the case history, even when
/// the order leaves the flagged targets out, so that every order on such a case is a recorded, reasoned decision.
/// </summary>
internal static class OrderSafeguards
{
    /// <summary>The flagged targets the order covers (those the override is for); refuses the order if it needs one and has none.</summary>
    public static async Task<IReadOnlyList<int>> CheckAsync(ExchangeDb db, CaseRecord record, UpdateCaseStatusRequest body, CancellationToken cancellationToken)
    {
        if (body.OrderedTargets?.FirstOrDefault(i => i >= record.TargetCount, -1) is { } outside and >= 0)
        {
            throw Invalid("orderedTargets", $"names target {outside}, but the report has {record.TargetCount} target(s) (indexes from 0).");
        }
        var flagged = await db.ReportTargets.AsNoTracking().Where(t => t.ReportId == record.ReportId && t.Flags != null)
            .Select(t => t.Index).ToListAsync(cancellationToken);
        var covered = flagged.Where(i => body.OrderedTargets is null || body.OrderedTargets.Contains(i)).Order().ToList();
        if (flagged.Count > 0 && body.SafeguardOverride is null)
        {
            throw new ProblemException(Problems.SafeguardOverrideRequired,
                $"This case has {flagged.Count} target(s) flagged as protected infrastructure (indexes {string.Join(", ", flagged.Order())}); "
                + $"the order covers {covered.Count} of them. Give safeguardOverride.reason to issue it (leave flagged targets out with orderedTargets).",
                new Dictionary<string, object?> { ["flaggedTargets"] = flagged.Order().ToList(), ["coveredFlaggedTargets"] = covered });
        }
        if (flagged.Count == 0 && body.SafeguardOverride is not null)
        {
            throw Invalid("safeguardOverride", "applies only to a case with a flagged target, and this one has none.");
        }
        return covered;
    }

    public static ProblemException Invalid(string field, string message) =>
        new(Problems.ValidationFailed, "1 field(s) are not valid.",
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
