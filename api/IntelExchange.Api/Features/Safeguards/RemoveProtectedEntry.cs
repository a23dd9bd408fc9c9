using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Features.Operator;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>An operator removes one of its additions; flags already given to stored targets stay, as the record of intake.</summary>
internal static class RemoveProtectedEntry
{
    public static async Task<IResult> Handle(
        Guid entryId, HttpContext context, ExchangeDb db, ProtectedLists lists, AuditLedger ledger, TimeProvider clock, ILogger<ProtectedLists> logger,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var entry = await db.ProtectedEntries.AsNoTracking().SingleOrDefaultAsync(e => e.Id == entryId, cancellationToken);
            if (entry is null || await db.ProtectedEntries.Where(e => e.Id == entryId).ExecuteDeleteAsync(cancellationToken) == 0)
            {
                return Problems.NotFound.ToResult();
            }
            await ProtectedListVersion.BumpAsync(db, cancellationToken);
            var detail = new { kind = entry.Kind, value = entry.Value, entryId };
            OperatorActions.Record(db, caller, "protected_infrastructure.removed", caller.TenantId, entry.Value, detail, clock.GetUtcNow());
            OperatorActions.AppendToLedger(ledger, db, caller, "protected_infrastructure.removed", caller.TenantId, entry.Value, detail);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await lists.RefreshAsync(cancellationToken);
        logger.LogInformation("Protected entry {EntryId} removed by {Tenant}", entryId, Caller.From(context.User).TenantId);
        return TypedResults.NoContent();
    }
}
