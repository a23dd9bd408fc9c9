using System.Globalization;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// The ledger export, in index order, cursor-paged. Operators only: entries name tenants and what they did, so a
/// partner sees its own entries only through the proofs and evidence bundles of its reports.
/// </summary>
internal static class ListAuditEntries
{
    private const string CursorKind = "audit";

    public static async Task<IResult> Handle(ExchangeDb db, Paging paging, string? after, int? limit, CancellationToken cancellationToken)
    {
        var pageSize = Paging.ParseLimit(limit);
        var from = paging.Decode(CursorKind, after) is { } position ? long.Parse(position, CultureInfo.InvariantCulture) + 1 : 0L;
        var rows = await db.Set<AuditEntryRecord>().AsNoTracking()
            .Where(e => e.Index >= from).OrderBy(e => e.Index).Take(pageSize + 1).ToListAsync(cancellationToken);
        var items = rows.Take(pageSize).Select(ToView).ToList();
        var next = rows.Count > pageSize ? paging.Encode(CursorKind, items[^1].Index.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new Page<AuditLedgerEntry> { Items = items, Next = next });
    }

    private static AuditLedgerEntry ToView(AuditEntryRecord entry) => new()
    {
        Index = entry.Index,
        Kind = WireNames<AuditEntryKind>.ToWire(entry.Kind),
        OccurredAt = entry.OccurredAt,
        Actor = entry.Actor,
        EntryHash = Convert.ToHexStringLower(entry.EntryHash),
        Entry = entry.Entry,
    };
}
