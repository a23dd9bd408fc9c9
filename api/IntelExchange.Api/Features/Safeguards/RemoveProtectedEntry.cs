using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>An operator removes one of its additions; flags already given to stored targets stay, as the record of intake.</summary>
internal static class RemoveProtectedEntry
{
    public static async Task<IResult> Handle(
        Guid entryId, HttpContext context, ExchangeDb db, ProtectedLists lists, ILogger<ProtectedLists> logger, CancellationToken cancellationToken)
    {
        int removed;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            removed = await db.ProtectedEntries.Where(e => e.Id == entryId).ExecuteDeleteAsync(cancellationToken);
            if (removed == 0)
            {
                return Problems.NotFound.ToResult();
            }
            await ProtectedListVersion.BumpAsync(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await lists.RefreshAsync(cancellationToken);
        logger.LogInformation("Protected entry {EntryId} removed by {Tenant}", entryId, Caller.From(context.User).TenantId);
        return TypedResults.NoContent();
    }
}
