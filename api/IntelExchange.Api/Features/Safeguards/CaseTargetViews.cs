using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>How the targets of a report and of its cases read: flags per target, outcome and duplicate link per case.</summary>
internal static class CaseTargetViews
{
    /// <summary>
    /// Each target's outcome in the case: pending until a decision; an order covers the targets it names (all of them if it
    /// names none); a rejection or withdrawal leaves every target not ordered. The agency sees where a duplicate points;
    /// the submitter only when the earlier case is its own.
    /// </summary>
    public static IReadOnlyList<CaseTargetOutcome> Outcomes(CaseRecord record, IEnumerable<TargetDuplicateRecord> duplicates, string viewer)
    {
        var links = duplicates.ToDictionary(d => d.Index);
        var ordered = ParseIndexes(record.OrderedTargets)?.ToHashSet();
        var decided = record.Status is not (CaseStatus.Received or CaseStatus.UnderReview or CaseStatus.MoreInfoRequested);
        var anyOrder = record.OrderReference is not null;
        var outcomes = new List<CaseTargetOutcome>(record.TargetCount);
        for (var index = 0; index < record.TargetCount; index++)
        {
            var outcome = !decided ? TargetOutcome.Pending
                : anyOrder && (ordered is null || ordered.Contains(index)) ? TargetOutcome.Ordered
                : TargetOutcome.NotOrdered;
            outcomes.Add(new CaseTargetOutcome
            {
                Index = index,
                Outcome = outcome,
                Reason = outcome == TargetOutcome.NotOrdered ? record.NotOrderedReason : null,
                DuplicateOf = links.TryGetValue(index, out var link) ? ToDuplicate(link, record, viewer) : null,
            });
        }
        return outcomes;
    }

    public static async Task<ILookup<Guid, TargetDuplicateRecord>> LoadDuplicatesAsync(ExchangeDb db, IReadOnlyCollection<Guid> caseIds, CancellationToken cancellationToken)
    {
        var rows = await db.TargetDuplicates.AsNoTracking().Where(d => caseIds.Contains(d.CaseId)).ToListAsync(cancellationToken);
        return rows.ToLookup(d => d.CaseId);
    }

    /// <summary>The report's targets with the flags found at intake (a report stored before the safeguards has none).</summary>
    public static async Task<IReadOnlyList<ReportTargetCheck>> LoadChecksAsync(
        ExchangeDb db, Guid reportId, InfringementReport report, CancellationToken cancellationToken)
    {
        var flags = await db.ReportTargets.AsNoTracking().Where(t => t.ReportId == reportId && t.Flags != null)
            .ToDictionaryAsync(t => t.Index, t => t.Flags!, cancellationToken);
        return report.Targets.Select((target, index) => new ReportTargetCheck
        {
            Index = index,
            Type = target.Type,
            Value = TargetIdentity.Display(target),
            Flags = flags.TryGetValue(index, out var json) ? JsonSerializer.Deserialize<List<TargetFlag>>(json, ExchangeJson.Strict)! : [],
        }).ToList();
    }

    public static List<int>? ParseIndexes(string? json) => json is null ? null : JsonSerializer.Deserialize<List<int>>(json);

    public static string? FormatIndexes(IEnumerable<int>? indexes) => indexes is null ? null : JsonSerializer.Serialize(indexes.Order().ToList());

    private static TargetDuplicate ToDuplicate(TargetDuplicateRecord link, CaseRecord record, string viewer) =>
        viewer == record.AgencyId || link.DuplicateOfReporterId == viewer
            ? new TargetDuplicate { CaseId = link.DuplicateOfCaseId, ReportId = link.DuplicateOfReportId, Index = link.DuplicateOfIndex }
            : new TargetDuplicate { CaseId = null, ReportId = null, Index = null };
}
