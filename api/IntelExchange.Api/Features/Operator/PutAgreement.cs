using FluentValidation;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>Records that a reporter may share with an agency, by default or only when it names it; or changes which.</summary>
internal sealed record PutAgreement(Caller Caller, PutAgreementRequest Body) : IRequest<(SharingAgreementDetails Agreement, bool Created)>;

internal sealed class PutAgreementValidator : AbstractValidator<PutAgreement>
{
    public PutAgreementValidator()
    {
        RuleFor(c => c.Body.Reporter).NotEmpty().Matches(InfringementReportValidator.TenantIdPattern()).WithMessage("must be a tenant id");
        RuleFor(c => c.Body.Agency).NotEmpty().Matches(InfringementReportValidator.TenantIdPattern()).WithMessage("must be a tenant id");
    }
}

internal sealed class PutAgreementHandler(ExchangeDb db, DirectoryChanges changes)
    : IRequestHandler<PutAgreement, (SharingAgreementDetails Agreement, bool Created)>
{
    public async ValueTask<(SharingAgreementDetails Agreement, bool Created)> Handle(PutAgreement command, CancellationToken cancellationToken)
    {
        var body = command.Body;
        var parties = await db.Tenants.AsNoTracking().Where(t => t.Id == body.Reporter || t.Id == body.Agency)
            .ToDictionaryAsync(t => t.Id, t => t.Roles, cancellationToken);
        var refusal = body.Reporter == body.Agency ? "a tenant cannot share with itself"
            : !parties.TryGetValue(body.Reporter, out var reporterRoles) ? $"there is no tenant '{body.Reporter}'"
            : !reporterRoles.HasFlag(TenantRoles.Reporter) ? $"'{body.Reporter}' does not hold the reporter role"
            : !parties.TryGetValue(body.Agency, out var agencyRoles) ? $"there is no tenant '{body.Agency}'"
            : !agencyRoles.HasFlag(TenantRoles.Agency) ? $"'{body.Agency}' does not hold the agency role"
            : null;
        if (refusal is not null)
        {
            throw new ProblemException(Problems.AgreementRefused, $"The agreement is refused: {refusal}.");
        }

        // PUT is an upsert: a first recording racing another one loses on the primary key, and its second pass updates.
        for (var pass = 1; ; pass++)
        {
            var agreement = await db.SharingAgreements.SingleOrDefaultAsync(a => a.ReporterId == body.Reporter && a.AgencyId == body.Agency, cancellationToken);
            var created = agreement is null;
            if (agreement is null)
            {
                agreement = new SharingAgreement { ReporterId = body.Reporter, AgencyId = body.Agency, IsDefault = body.IsDefault, CreatedAt = changes.Now };
                db.SharingAgreements.Add(agreement);
            }
            else if (agreement.IsDefault == body.IsDefault)
            {
                return (OperatorViews.ToAgreement(agreement), false);
            }
            agreement.IsDefault = body.IsDefault;
            try
            {
                await changes.CommitAsync(command.Caller, "agreement.recorded", body.Reporter, $"{body.Reporter}->{body.Agency}",
                    new { reporter = body.Reporter, agency = body.Agency, isDefault = body.IsDefault }, cancellationToken);
                return (OperatorViews.ToAgreement(agreement), created);
            }
            catch (DbUpdateException exception) when (pass == 1 && UniqueViolation.Is(exception))
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}

internal static class PutAgreementEndpoint
{
    public static async Task<IResult> Handle(HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var (body, _) = await JsonBody.ReadAsync<PutAgreementRequest>(context.Request, cancellationToken);
        var (agreement, created) = await mediator.Send(new PutAgreement(Caller.From(context.User), body), cancellationToken);
        return created ? TypedResults.Created((string?)null, agreement) : TypedResults.Ok(agreement);
    }
}
