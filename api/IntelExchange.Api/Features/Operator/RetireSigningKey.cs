using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>Retires a signing key: reports signed with it are refused from the next directory poll on, on every instance.</summary>
internal sealed record RetireSigningKey(Caller Caller, string TenantId, string Kid) : IRequest<OperatorSigningKey>;

internal sealed class RetireSigningKeyHandler(ExchangeDb db, DirectoryChanges changes) : IRequestHandler<RetireSigningKey, OperatorSigningKey>
{
    public async ValueTask<OperatorSigningKey> Handle(RetireSigningKey command, CancellationToken cancellationToken)
    {
        var key = await db.SigningKeys.SingleOrDefaultAsync(k => k.Kid == command.Kid && k.TenantId == command.TenantId, cancellationToken)
            ?? throw new ProblemException(Problems.NotFound, "No such signing key on this tenant.");
        if (key.RetiredAt is null)
        {
            key.RetiredAt = changes.Now;
            await changes.CommitAsync(command.Caller, "signing_key.retired", command.TenantId, key.Kid, null, cancellationToken);
        }
        return OperatorViews.ToSigningKey(key);
    }
}

internal static class RetireSigningKeyEndpoint
{
    public static async Task<IResult> Handle(string id, string kid, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new RetireSigningKey(Caller.From(context.User), id, kid), cancellationToken));
}

internal static class ListSigningKeys
{
    /// <summary>A tenant's signing keys, retired ones included, oldest first.</summary>
    public static async Task<IResult> Handle(string id, ExchangeDb db, CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == id, cancellationToken))
        {
            return Problems.NotFound.ToResult("No such tenant.");
        }
        var keys = await db.SigningKeys.AsNoTracking().Where(k => k.TenantId == id)
            .OrderBy(k => k.RegisteredAt).ThenBy(k => k.Kid).Select(OperatorViews.AsSigningKey).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<OperatorSigningKey> { Items = keys, Next = null });
    }
}
