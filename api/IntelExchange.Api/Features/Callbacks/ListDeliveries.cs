using System.Linq.Expressions;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Callbacks;

internal static class ListDeliveries
{
    private const string CursorKind = "callback-deliveries";

    /// <summary>The caller's callback deliveries (the query filter's), oldest first, cursor-paged, optionally of one status.</summary>
    public static async Task<IResult> Handle(
        ExchangeDb db, Paging paging, string? status, string? after, int? limit, CancellationToken cancellationToken)
    {
        var pageSize = Paging.ParseLimit(limit);
        var query = db.CallbackDeliveries.AsNoTracking();
        if (status is not null)
        {
            if (!WireNames<CallbackDeliveryStatus>.TryFromWire(status, out var wanted))
            {
                throw new ProblemException(Problems.InvalidQuery, "status must be pending, delivered or dead.");
            }
            query = query.Where(d => d.Status == wanted);
        }
        if (paging.Decode(CursorKind, after) is { } position)
        {
            var afterId = Guid.Parse(position);
            query = query.Where(d => d.Id.CompareTo(afterId) > 0);
        }

        var rows = await query.OrderBy(d => d.Id).Take(pageSize + 1).Select(AsItem).ToListAsync(cancellationToken);
        var items = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? paging.Encode(CursorKind, items[^1].Id.ToString()) : null;
        return TypedResults.Ok(new Page<CallbackDeliveryItem> { Items = items, Next = next });
    }

    /// <summary>The listed shape, as a query projection (the body is never read).</summary>
    public static readonly Expression<Func<CallbackDelivery, CallbackDeliveryItem>> AsItem = d => new CallbackDeliveryItem
    {
        Id = d.Id,
        CaseId = d.CaseId,
        Sequence = d.Sequence,
        Status = d.Status,
        Attempts = d.Attempts,
        LastStatusCode = d.LastStatusCode,
        LastError = d.LastError,
        NextAttemptAt = d.NextAttemptAt,
        DeliveredAt = d.DeliveredAt,
    };

    private static readonly Func<CallbackDelivery, CallbackDeliveryItem> ToItemCompiled = AsItem.Compile();

    public static CallbackDeliveryItem ToItem(CallbackDelivery delivery) => ToItemCompiled(delivery);
}
