using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Callbacks;

internal static class GetWebhook
{
    /// <summary>The caller's webhook; never its secret, which is shown only when it is created.</summary>
    public static async Task<IResult> Handle(HttpContext context, ExchangeDb db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User).TenantId;
        var webhook = await db.WebhookEndpoints.AsNoTracking().Where(w => w.TenantId == caller)
            .Select(w => new WebhookDetails { Url = w.Url, CreatedAt = w.CreatedAt, UpdatedAt = w.UpdatedAt })
            .SingleOrDefaultAsync(cancellationToken);
        return webhook is null ? Problems.NotFound.ToResult("No webhook is registered.") : TypedResults.Ok(webhook);
    }
}
