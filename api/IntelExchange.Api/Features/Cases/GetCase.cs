using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Cases;

internal static class GetCase
{
    /// <summary>
    /// The case's agency and the report's submitter see the case and its history (the data layer's query filter).
    /// Anyone else: 404, never 403.
    /// </summary>
    public static async Task<IResult> Handle(Guid caseId, ExchangeDb db, CancellationToken cancellationToken)
    {
        var record = await db.Cases.AsNoTracking().Include(c => c.History).SingleOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (record is null)
        {
            return Problems.NotFound.ToResult();
        }
        var externalId = await db.Reports.Where(r => r.Id == record.ReportId).Select(r => r.ExternalId).SingleAsync(cancellationToken);
        return TypedResults.Ok(CaseViews.ToDetails(record, externalId));
    }
}

internal static class CaseViews
{
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
            OccurredAt = h.OccurredAt,
        }).ToList(),
    };
}
