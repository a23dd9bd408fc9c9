using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

internal static class ListOperatorActions
{
    private const string CursorKind = "operator-actions";

    /// <summary>The record of operator actions, oldest first, cursor-paged, optionally about one tenant.</summary>
    public static async Task<IResult> Handle(ExchangeDb db, Paging paging, string? tenant, string? after, int? limit, CancellationToken cancellationToken)
    {
        var pageSize = Paging.ParseLimit(limit);
        var query = db.OperatorActions.AsNoTracking();
        if (tenant is not null)
        {
            query = query.Where(a => a.Tenant == tenant);
        }
        if (paging.Decode(CursorKind, after) is { } position)
        {
            var afterId = Guid.Parse(position);
            query = query.Where(a => a.Id.CompareTo(afterId) > 0);
        }
        var rows = await query.OrderBy(a => a.Id).Take(pageSize + 1).Select(a => new OperatorActionItem
        {
            Id = a.Id,
            Actor = a.Actor,
            ActorCertificate = a.ActorCertificate,
            Action = a.Action,
            Tenant = a.Tenant,
            Target = a.Target,
            Detail = a.Detail,
            OccurredAt = a.OccurredAt,
        }).ToListAsync(cancellationToken);
        var items = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? paging.Encode(CursorKind, items[^1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<OperatorActionItem> { Items = items, Next = next });
    }
}
