using System.Globalization;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Intel;

internal static class IntelEndpoints
{
    public static IEndpointRouteBuilder MapIntel(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/intel", IntelFeed.Handle)
            .RequireAuthorization(Policies.Agency)
            .WithTags("Intel")
            .WithName("GetIntelFeed")
            .WithSummary("An agency's feed of the cases shared with it, in delivery order (the HTTP twin of the bus)")
            .Produces<Page<IntelItem>>()
            .ProducesProblems(Problems.InvalidCursor, Problems.InvalidQuery);
        return app;
    }
}

/// <summary>
/// Cases shared with the calling agency, ordered by feed position. Positions are assigned in commit order (see the
/// outbox dispatcher), so paging with <c>after</c> never skips a case, and the cursor stays valid across restarts.
/// </summary>
internal static class IntelFeed
{
    private const string CursorKind = "intel";

    public static async Task<IResult> Handle(HttpContext context, ExchangeDb db, Paging paging, string? after, int? limit, CancellationToken cancellationToken)
    {
        var agency = Caller.From(context.User).TenantId;
        var pageSize = Paging.ParseLimit(limit);
        var from = paging.Decode(CursorKind, after) is { } position ? long.Parse(position, CultureInfo.InvariantCulture) : 0L;

        var rows = await db.Cases.AsNoTracking()
            .Where(c => c.AgencyId == agency && c.FeedPosition > from)
            .OrderBy(c => c.FeedPosition)
            .Take(pageSize)
            .Select(c => new { Case = c, c.Report!.Body, c.Report.Jws, c.Report.BodySha256 })
            .ToListAsync(cancellationToken);

        var items = rows.Select(row => new IntelItem
        {
            CaseId = row.Case.Id,
            ReportId = row.Case.ReportId,
            Submitter = row.Case.ReporterId,
            Status = row.Case.Status,
            SharedAt = row.Case.CreatedAt,
            BodySha256 = row.BodySha256,
            SignedBody = Convert.ToBase64String(row.Body),
            Signature = row.Jws,
            Report = JsonSerializer.Deserialize<InfringementReport>(row.Body, ExchangeJson.Strict)!,
        }).ToList();

        // A feed grows: any non-empty page returns the cursor after its last item, so a follower keeps polling with it.
        var next = rows.Count > 0 ? paging.Encode(CursorKind, rows[^1].Case.FeedPosition!.Value.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<IntelItem> { Items = items, Next = next });
    }
}
