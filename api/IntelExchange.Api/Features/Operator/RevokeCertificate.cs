using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>
/// Revokes a tenant's certificate at once: every instance refuses it from its next directory poll (within a second),
/// on connections already open as well, because each request is authenticated against the directory.
/// </summary>
internal sealed record RevokeCertificate(Caller Caller, string TenantId, string Thumbprint) : IRequest<OperatorCredential>;

internal sealed class RevokeCertificateHandler(ExchangeDb db, DirectoryChanges changes) : IRequestHandler<RevokeCertificate, OperatorCredential>
{
    public async ValueTask<OperatorCredential> Handle(RevokeCertificate command, CancellationToken cancellationToken)
    {
        var thumbprint = command.Thumbprint.ToLowerInvariant();
        var credential = await db.ClientCredentials.SingleOrDefaultAsync(c => c.Thumbprint == thumbprint && c.TenantId == command.TenantId, cancellationToken)
            ?? throw new ProblemException(Problems.NotFound, "No such certificate on this tenant.");
        if (credential.RevokedAt is not null)
        {
            return OperatorViews.ToCredential(credential);
        }
        if (thumbprint == command.Caller.CertificateThumbprint)
        {
            throw new ProblemException(Problems.OperatorLockout, "This request is made with that certificate: register another one and revoke this one from it.");
        }

        credential.RevokedAt = changes.Now;
        await changes.CommitAsync(command.Caller, "certificate.revoked", command.TenantId, thumbprint, null, cancellationToken);
        return OperatorViews.ToCredential(credential);
    }
}

internal static class RevokeCertificateEndpoint
{
    public static async Task<IResult> Handle(string id, string thumbprint, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new RevokeCertificate(Caller.From(context.User), id, thumbprint), cancellationToken));
}
