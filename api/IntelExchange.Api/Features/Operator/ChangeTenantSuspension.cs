using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>
/// Suspends a tenant (every request of it is refused and nothing more is shared with it, from the next directory poll
/// on every instance) or reactivates it. Its data stays as it is.
/// </summary>
internal sealed record ChangeTenantSuspension(Caller Caller, string TenantId, bool Suspend) : IRequest<OperatorTenant>;

internal sealed class ChangeTenantSuspensionHandler(ExchangeDb db, DirectoryChanges changes) : IRequestHandler<ChangeTenantSuspension, OperatorTenant>
{
    public async ValueTask<OperatorTenant> Handle(ChangeTenantSuspension command, CancellationToken cancellationToken)
    {
        var tenant = await db.Tenants.SingleOrDefaultAsync(t => t.Id == command.TenantId, cancellationToken)
            ?? throw new ProblemException(Problems.NotFound, "No such tenant.");
        if (command.Suspend && tenant.Id == command.Caller.TenantId)
        {
            throw new ProblemException(Problems.OperatorLockout, "An operator cannot suspend its own tenant.");
        }
        if (tenant.Suspended != command.Suspend)
        {
            tenant.Suspended = command.Suspend;
            await changes.CommitAsync(command.Caller, command.Suspend ? "tenant.suspended" : "tenant.reactivated", tenant.Id, null, null, cancellationToken);
        }
        return (await OperatorViews.FindTenantAsync(db, tenant.Id, cancellationToken))!;
    }
}

internal static class ChangeTenantSuspensionEndpoint
{
    public static async Task<IResult> Suspend(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ChangeTenantSuspension(Caller.From(context.User), id, Suspend: true), cancellationToken));

    public static async Task<IResult> Reactivate(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ChangeTenantSuspension(Caller.From(context.User), id, Suspend: false), cancellationToken));
}
