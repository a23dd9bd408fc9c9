using FluentValidation;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>Creates a tenant with its roles. It can do nothing until a certificate is registered to it.</summary>
internal sealed record CreateTenant(Caller Caller, CreateTenantRequest Body) : IRequest<OperatorTenant>;

internal sealed class CreateTenantValidator : AbstractValidator<CreateTenant>
{
    public CreateTenantValidator()
    {
        RuleFor(c => c.Body.Id).NotEmpty().Matches(InfringementReportValidator.TenantIdPattern())
            .WithMessage("must be 1 to 63 lower-case letters, digits and '-', starting with a letter or digit")
            .Must(id => !TenantNames.Reserved.Contains(id)).WithMessage("is reserved");
        RuleFor(c => c.Body.Name).NotEmpty().MaximumLength(OperatorLimits.TenantName)
            .Must(name => name is not null && !name.Any(char.IsControl)).WithMessage("must be printable text");
        RuleFor(c => c.Body.Roles).NotEmpty().Must(roles => roles is null || roles.Distinct().Count() == roles.Count)
            .WithMessage("must list each role once");
        RuleForEach(c => c.Body.Roles).Must(role => TenantNames.TryParseRole(role, out _)).WithMessage("must be reporter, agency or operator");
    }
}

internal sealed class CreateTenantHandler(ExchangeDb db, DirectoryChanges changes) : IRequestHandler<CreateTenant, OperatorTenant>
{
    public async ValueTask<OperatorTenant> Handle(CreateTenant command, CancellationToken cancellationToken)
    {
        var body = command.Body;
        var roles = body.Roles.Aggregate(TenantRoles.None, (all, name) => TenantNames.TryParseRole(name, out var role) ? all | role : all);
        if (await db.Tenants.AnyAsync(t => t.Id == body.Id, cancellationToken))
        {
            throw new ProblemException(Problems.TenantExists);
        }

        var tenant = new Tenant { Id = body.Id, Name = body.Name, Roles = roles, CreatedAt = changes.Now };
        db.Tenants.Add(tenant);
        try
        {
            await changes.CommitAsync(command.Caller, "tenant.created", tenant.Id, null,
                new { name = tenant.Name, roles = PartnerAuthentication.RoleNames(roles) }, cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            throw new ProblemException(Problems.TenantExists);
        }
        return OperatorViews.ToTenant(new TenantRow(tenant, 0, 0));
    }
}

internal static class CreateTenantEndpoint
{
    public static async Task<IResult> Handle(HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var (body, _) = await JsonBody.ReadAsync<CreateTenantRequest>(context.Request, cancellationToken);
        var tenant = await mediator.Send(new CreateTenant(Caller.From(context.User), body), cancellationToken);
        return TypedResults.Created($"/v1/operator/tenants/{tenant.Id}", tenant);
    }
}
