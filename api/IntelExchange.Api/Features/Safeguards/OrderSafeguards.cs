using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>
/// The rule that makes a silent overblock impossible: an order that covers a flagged target needs the agency's explicit
/// override, whose reason and giver go into the case history. An order that leaves every flagged target out needs none.
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
        if (covered.Count > 0 && body.SafeguardOverride is null)
        {
            throw new ProblemException(Problems.SafeguardOverrideRequired,
                $"The order covers {covered.Count} target(s) flagged as protected infrastructure (indexes {string.Join(", ", covered)}). "
                + "Leave them out with orderedTargets, or give safeguardOverride.reason to order them anyway.",
                new Dictionary<string, object?> { ["flaggedTargets"] = covered });
        }
        if (covered.Count == 0 && body.SafeguardOverride is not null)
        {
            throw Invalid("safeguardOverride", "applies only to an order that covers a flagged target, and this one covers none.");
        }
        return covered;
    }

    public static ProblemException Invalid(string field, string message) =>
        new(Problems.ValidationFailed, "1 field(s) are not valid.",
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });
}
