using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>The shipped lists (summarised) and every operator addition.</summary>
internal static class ListProtectedEntries
{
    public static async Task<IResult> Handle(ExchangeDb db, ProtectedLists lists, CancellationToken cancellationToken)
    {
        var additions = await db.ProtectedEntries.AsNoTracking().OrderBy(e => e.Id).Take(SafeguardLimits.MaxOperatorEntries).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ProtectedInfrastructureList
        {
            Shipped = lists.Shipped.Select(l => l.ToSummary()).ToList(),
            Additions = additions.Select(ProtectedLists.ToView).ToList(),
        });
    }
}
