using System.Text.Json;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Reports;

internal static class GetReport
{
    /// <summary>
    /// The submitter sees every case; an agency sees the report only through its own case. Anyone else: 404. Both rules
    /// are the data layer's query filters (see <see cref="ExchangeDb"/>), not this handler's.
    /// </summary>
    public static async Task<IResult> Handle(Guid reportId, HttpContext context, ExchangeDb db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User).TenantId;
        var report = await db.Reports.AsNoTracking()
            .Where(r => r.Id == reportId)
            .Include(r => r.Cases)
            .AsSplitQuery()
            .SingleOrDefaultAsync(cancellationToken);
        if (report is null)
        {
            return Problems.NotFound.ToResult();
        }

        // The query filters already hold back other agencies' cases; this keeps the rule visible where outcomes are built.
        var visibleCases = (report.TenantId == caller ? report.Cases : report.Cases.Where(c => c.AgencyId == caller)).ToList();
        var details = ToDetails(report, visibleCases);
        var duplicates = await CaseTargetViews.LoadDuplicatesAsync(db, visibleCases.Select(c => c.Id).ToList(), cancellationToken);
        return TypedResults.Ok(details with
        {
            Targets = await CaseTargetViews.LoadChecksAsync(db, report.Id, details.Report, cancellationToken),
            Cases = visibleCases.OrderBy(c => c.AgencyId, StringComparer.Ordinal)
                .Select(c => ToSummary(c) with { Targets = CaseTargetViews.Outcomes(c, duplicates[c.Id], caller) }).ToList(),
        });
    }

    public static ReportDetails ToDetails(ReportRecord report, IEnumerable<CaseRecord> cases) => new()
    {
        ReportId = report.Id,
        Submitter = report.TenantId,
        ExternalId = report.ExternalId,
        Status = report.Status,
        ReceivedAt = report.ReceivedAt,
        BodySha256 = report.BodySha256,
        SigningKeyId = report.Kid,
        Report = JsonSerializer.Deserialize<InfringementReport>(report.Body, ExchangeJson.Strict)!,
        Cases = cases.OrderBy(c => c.AgencyId, StringComparer.Ordinal).Select(ToSummary).ToList(),
    };

    public static CaseSummary ToSummary(CaseRecord c) => new() { CaseId = c.Id, Agency = c.AgencyId, Status = c.Status };
}

internal static class ListReports
{
    private const string CursorKind = "reports";

    public static async Task<IResult> Handle(
        HttpContext context, ExchangeDb db, Paging paging, string? status, string? after, int? limit, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User).TenantId;
        var pageSize = Paging.ParseLimit(limit);
        var query = db.Reports.AsNoTracking().Where(r => r.TenantId == caller);
        if (status is not null)
        {
            if (!WireNames<ReportStatus>.TryFromWire(status, out var wanted))
            {
                throw new ProblemException(Problems.InvalidQuery, "status must be received, in_progress or closed.");
            }
            query = query.Where(r => r.Status == wanted);
        }
        if (paging.Decode(CursorKind, after) is { } position)
        {
            var afterId = Guid.Parse(position);
            query = query.Where(r => r.Id.CompareTo(afterId) > 0);
        }

        var rows = await query.OrderBy(r => r.Id).Take(pageSize + 1)
            .Select(r => new { r.Id, r.ExternalId, r.Status, r.Category, r.ReceivedAt, Cases = r.Cases.ToList() })
            .ToListAsync(cancellationToken);
        var items = rows.Take(pageSize).Select(r => new ReportListItem
        {
            ReportId = r.Id,
            ExternalId = r.ExternalId,
            Status = r.Status,
            Category = r.Category,
            ReceivedAt = r.ReceivedAt,
            Cases = r.Cases.OrderBy(c => c.AgencyId, StringComparer.Ordinal).Select(GetReport.ToSummary).ToList(),
        }).ToList();
        var next = rows.Count > pageSize ? paging.Encode(CursorKind, items[^1].ReportId.ToString()) : null;
        return TypedResults.Ok(new Page<ReportListItem> { Items = items, Next = next });
    }
}
