using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Cases;

internal static class GetCase
{
    /// <summary>
    /// The case's agency and the report's submitter see the case and its history (the data layer's query filter).
    /// Anyone else: 404, never 403.
    /// </summary>
    public static async Task<IResult> Handle(Guid caseId, HttpContext context, ExchangeDb db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User).TenantId;
        var record = await db.Cases.AsNoTracking().Include(c => c.History).SingleOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (record is null)
        {
            return Problems.NotFound.ToResult();
        }
        var externalId = await db.Reports.Where(r => r.Id == record.ReportId).Select(r => r.ExternalId).SingleAsync(cancellationToken);
        return TypedResults.Ok(await CaseViews.ToDetailsAsync(db, record, externalId, caller, cancellationToken));
    }
}

internal static class CaseViews
{
    /// <summary>The case as <paramref name="viewer"/> sees it, with each target's outcome and duplicate link.</summary>
    public static async Task<CaseDetails> ToDetailsAsync(ExchangeDb db, CaseRecord record, string externalId, string viewer, CancellationToken cancellationToken)
    {
        // Links are written with the case at intake and counted on it, so a case without any needs no query (every move
        // answers with these details).
        var links = record.DuplicateTargets == 0 ? []
            : (await CaseTargetViews.LoadDuplicatesAsync(db, [record.Id], cancellationToken))[record.Id];
        return ToDetails(record, externalId) with { Targets = CaseTargetViews.Outcomes(record, links, viewer) };
    }

    public static CaseDetails ToDetails(CaseRecord record, string externalId) => new()
    {
        CaseId = record.Id,
        ReportId = record.ReportId,
        ExternalId = externalId,
        Agency = record.AgencyId,
        Submitter = record.ReporterId,
        Status = record.Status,
        Sequence = record.Sequence,
        OrderReference = record.OrderReference,
        EffectiveUntil = record.EffectiveUntil,
        CreatedAt = record.CreatedAt,
        UpdatedAt = record.UpdatedAt,
        History = record.History.OrderBy(h => h.Sequence).Select(h => new CaseHistoryEntry
        {
            Sequence = h.Sequence,
            Status = h.Status,
            PreviousStatus = h.PreviousStatus,
            Actor = h.Actor,
            Reason = h.Reason,
            OrderReference = h.OrderReference,
            EffectiveUntil = h.EffectiveUntil,
            Note = h.Note,
            SafeguardOverride = h.SafeguardOverrideReason is null ? null : new SafeguardOverrideEntry
            {
                Reason = h.SafeguardOverrideReason,
                GivenBy = h.Actor,
                FlaggedTargets = CaseTargetViews.ParseIndexes(h.SafeguardOverrideTargets) ?? [],
            },
            OrderedTargets = CaseTargetViews.ParseIndexes(h.OrderedTargets),
            NotOrderedReason = h.NotOrderedReason,
            OccurredAt = h.OccurredAt,
        }).ToList(),
    };
}
