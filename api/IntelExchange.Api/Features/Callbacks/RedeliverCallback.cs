using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Callbacks;

internal static class RedeliverCallback
{
    /// <summary>
    /// Schedules one of the caller's deliveries again, now, with a fresh retry schedule (whatever its status). Another
    /// tenant's delivery is a 404: the query filter never finds it.
    /// </summary>
    public static async Task<IResult> Handle(
        Guid deliveryId, ExchangeDb db, CallbackScheduler scheduler, TimeProvider clock, CancellationToken cancellationToken)
    {
        var delivery = await db.CallbackDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken);
        if (delivery is null)
        {
            return Problems.NotFound.ToResult();
        }
        delivery.Status = CallbackDeliveryStatus.Pending;
        delivery.NextAttemptAt = clock.GetUtcNow();
        delivery.ScheduleStep = 0;
        delivery.DeliveredAt = null;
        await db.SaveChangesAsync(cancellationToken);
        scheduler.Committed();
        return TypedResults.Accepted((string?)null, ListDeliveries.ToItem(delivery));
    }
}
