using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Features.Operator;
using FluentValidation;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>An operator protects one more domain suffix or range; it flags new reports' targets within a second everywhere.</summary>
internal sealed record AddProtectedEntry(Caller Caller, AddProtectedEntryRequest Body) : IRequest<ProtectedEntry>;

internal sealed class AddProtectedEntryValidator : AbstractValidator<AddProtectedEntry>
{
    /// <summary>Wider ranges than these are more likely a typo than a platform, and would flag a large part of the internet.</summary>
    public const int MinIPv4Prefix = 8;
    public const int MinIPv6Prefix = 16;

    public AddProtectedEntryValidator()
    {
        RuleFor(c => c.Body.Kind).IsInEnum();
        RuleFor(c => c.Body.Reason).NotEmpty().MaximumLength(SafeguardLimits.Reason).Must(r => r is null || !r.Any(char.IsControl))
            .WithMessage("must be printable text");
        RuleFor(c => c.Body.Value).NotEmpty().MaximumLength(300);
        RuleFor(c => c.Body.Value).Must(v => Targets.NormalizeDomain(v) is not null)
            .When(c => c.Body.Kind == ProtectedEntryKind.Domain)
            .WithMessage("must be a valid DNS name (IDN allowed) with at least two labels");
        RuleFor(c => c.Body.Value).Custom((value, context) =>
        {
            var (_, error) = ProtectedInfrastructure.ParseRange(value, MinIPv4Prefix, MinIPv6Prefix);
            if (error is not null)
            {
                context.AddFailure(error);
            }
        }).When(c => c.Body.Kind == ProtectedEntryKind.Cidr);
    }
}

internal sealed class AddProtectedEntryHandler(
    ExchangeDb db, ProtectedLists lists, AuditLedger ledger, TimeProvider clock, ILogger<AddProtectedEntryHandler> logger)
    : IRequestHandler<AddProtectedEntry, ProtectedEntry>
{
    public async ValueTask<ProtectedEntry> Handle(AddProtectedEntry command, CancellationToken cancellationToken)
    {
        var body = command.Body;
        var value = body.Kind == ProtectedEntryKind.Domain
            ? Targets.NormalizeDomain(body.Value)!
            : ProtectedInfrastructure.ParseRange(body.Value).Range!.Value.ToString();
        var existing = await db.ProtectedEntries.AsNoTracking().SingleOrDefaultAsync(e => e.Kind == body.Kind && e.Value == value, cancellationToken);
        if (existing is not null)
        {
            throw Exists(existing.Id);
        }
        if (await db.ProtectedEntries.CountAsync(cancellationToken) >= SafeguardLimits.MaxOperatorEntries)
        {
            throw new ProblemException(Problems.ProtectedEntriesFull, $"Remove an addition first: at most {SafeguardLimits.MaxOperatorEntries} are kept.");
        }

        var record = new ProtectedEntryRecord
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            Kind = body.Kind,
            Value = value,
            Reason = body.Reason,
            AddedBy = command.Caller.TenantId,
            AddedAt = clock.GetUtcNow(),
        };
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            db.ProtectedEntries.Add(record);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
            {
                db.ChangeTracker.Clear();
                var winner = await db.ProtectedEntries.AsNoTracking().SingleAsync(e => e.Kind == body.Kind && e.Value == value, cancellationToken);
                throw Exists(winner.Id);
            }
            await ProtectedListVersion.BumpAsync(db, cancellationToken);
            var detail = new { kind = body.Kind, value, reason = body.Reason };
            OperatorActions.Record(db, command.Caller, "protected_infrastructure.added", command.Caller.TenantId, value, detail, record.AddedAt);
            OperatorActions.AppendToLedger(ledger, db, command.Caller, "protected_infrastructure.added", command.Caller.TenantId, value, detail);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await lists.RefreshAsync(cancellationToken);
        logger.LogInformation("Protected {Kind} {Value} added by {Tenant}", body.Kind, value, command.Caller.TenantId);
        return ProtectedLists.ToView(record);
    }

    private static ProblemException Exists(Guid id) =>
        new(Problems.ProtectedEntryExists, $"It is entry {id}.", new Dictionary<string, object?> { ["entryId"] = id });
}

internal static class AddProtectedEntryEndpoint
{
    public static async Task<IResult> Handle(HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var (body, _) = await JsonBody.ReadAsync<AddProtectedEntryRequest>(context.Request, cancellationToken);
        var entry = await mediator.Send(new AddProtectedEntry(Caller.From(context.User), body), cancellationToken);
        return TypedResults.Created($"/v1/operator/protected-infrastructure/{entry.Id}", entry);
    }
}

internal static class ProtectedListVersion
{
    public static Task BumpAsync(ExchangeDb db, CancellationToken cancellationToken) =>
        db.ProtectedListStates.Where(s => s.Id == 1).ExecuteUpdateAsync(set => set.SetProperty(s => s.Version, s => s.Version + 1), cancellationToken);
}
