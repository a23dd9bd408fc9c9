using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>Ends a sharing agreement: from the next directory poll the reporter can no longer name that agency.</summary>
internal sealed record RemoveAgreement(Caller Caller, string Reporter, string Agency) : IRequest<SharingAgreementDetails>;

internal sealed class RemoveAgreementHandler(ExchangeDb db, DirectoryChanges changes) : IRequestHandler<RemoveAgreement, SharingAgreementDetails>
{
    public async ValueTask<SharingAgreementDetails> Handle(RemoveAgreement command, CancellationToken cancellationToken)
    {
        var agreement = await db.SharingAgreements.SingleOrDefaultAsync(a => a.ReporterId == command.Reporter && a.AgencyId == command.Agency, cancellationToken)
            ?? throw new ProblemException(Problems.NotFound, "No such agreement.");
        db.SharingAgreements.Remove(agreement);
        await changes.CommitAsync(command.Caller, "agreement.removed", command.Reporter, $"{command.Reporter}->{command.Agency}", null, cancellationToken);
        return OperatorViews.ToAgreement(agreement);
    }
}

internal static class RemoveAgreementEndpoint
{
    public static async Task<IResult> Handle(string reporter, string agency, HttpContext context, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new RemoveAgreement(Caller.From(context.User), reporter, agency), cancellationToken));
}

internal static class ListAgreements
{
    /// <summary>Every sharing agreement, by reporter then agency.</summary>
    public static async Task<IResult> Handle(ExchangeDb db, CancellationToken cancellationToken)
    {
        var agreements = await db.SharingAgreements.AsNoTracking().OrderBy(a => a.ReporterId).ThenBy(a => a.AgencyId)
            .Select(OperatorViews.AsAgreement).ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<SharingAgreementDetails> { Items = agreements, Next = null });
    }
}
