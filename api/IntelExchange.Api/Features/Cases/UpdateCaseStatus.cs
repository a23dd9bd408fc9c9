using System.Text.Json;
using FluentValidation;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Cases;

/// <summary>A party's move on a case; <see cref="RequestSha256"/> covers the route and the exact body.</summary>
internal sealed record UpdateCaseStatus(Caller Caller, Guid CaseId, UpdateCaseStatusRequest Body, string RequestSha256, string IdempotencyKey)
    : IRequest<IdempotentResponse>;

internal sealed class UpdateCaseStatusValidator : AbstractValidator<UpdateCaseStatus>
{
    public const int MaxOrderReferenceLength = ReportLimits.Reference;

    public UpdateCaseStatusValidator()
    {
        RuleFor(c => c.Body.Status).IsInEnum();
        RuleFor(c => c.Body.Reason).MaximumLength(CaseLimits.Reason);
        RuleFor(c => c.Body.Note).MaximumLength(CaseLimits.Note);
        When(c => c.Body.Status == CaseStatus.OrderIssued, () =>
        {
            RuleFor(c => c.Body.OrderReference).NotEmpty().MaximumLength(MaxOrderReferenceLength);
            RuleFor(c => c.Body.SafeguardOverride!.Reason).NotEmpty().MaximumLength(CaseLimits.Reason)
                .Must(r => r is null || !r.Any(char.IsControl)).WithMessage("must be printable text").When(c => c.Body.SafeguardOverride is not null);
            RuleFor(c => c.Body.OrderedTargets)
                .Must(t => t is null || (t.Count is >= 1 and <= ReportLimits.MaxTargets && t.Distinct().Count() == t.Count && t.All(i => i >= 0)))
                .WithMessage($"must list 1 to {ReportLimits.MaxTargets} distinct target indexes (0-based)");
            RuleFor(c => c.Body.NotOrderedReason).NotEmpty().When(c => c.Body.OrderedTargets is not null)
                .WithMessage("is required with orderedTargets: say why the other targets are not ordered");
            RuleFor(c => c.Body.NotOrderedReason).Null().When(c => c.Body.OrderedTargets is null)
                .WithMessage("applies only to a partial order (with orderedTargets)");
            RuleFor(c => c.Body.NotOrderedReason).MaximumLength(CaseLimits.Reason);
        }).Otherwise(() =>
        {
            RuleFor(c => c.Body.OrderReference).Null().WithMessage("Only an order_issued move carries an orderReference.");
            RuleFor(c => c.Body.EffectiveUntil).Null().WithMessage("Only an order_issued move carries an effectiveUntil.");
            RuleFor(c => c.Body.SafeguardOverride).Null().WithMessage("Only an order_issued move carries a safeguardOverride.");
            RuleFor(c => c.Body.OrderedTargets).Null().WithMessage("Only an order_issued move carries orderedTargets.");
            RuleFor(c => c.Body.NotOrderedReason).Null().WithMessage("Only an order_issued move carries a notOrderedReason.");
        });
    }
}

internal sealed class UpdateCaseStatusHandler(
    ExchangeDb db,
    CaseChanges changes,
    CaseOptions options,
    IdempotencyGuard idempotency,
    TimeProvider clock,
    ILogger<UpdateCaseStatusHandler> logger) : IRequestHandler<UpdateCaseStatus, IdempotentResponse>
{
    public const string Operation = "POST /v1/cases/{id}/status";

    public async ValueTask<IdempotentResponse> Handle(UpdateCaseStatus command, CancellationToken cancellationToken)
    {
        var tenant = command.Caller.TenantId;
        using var inFlight = idempotency.Enter(tenant, command.IdempotencyKey);
        // The happy path costs no idempotency lookup: the record commits with the move, and a retry is found when its
        // own attempt fails, by the unique key, or by the refusal a repeated move meets (the case has moved on).
        IdempotentResponse response;
        try
        {
            response = await MoveAsync(command, cancellationToken);
        }
        catch (ProblemException)
        {
            db.ChangeTracker.Clear();
            var replay = await IdempotencyGuard.FindReplayAsync(db, tenant, command.IdempotencyKey, Operation, command.RequestSha256, cancellationToken);
            if (replay is not null)
            {
                return replay;
            }
            throw;
        }
        catch (DbUpdateException exception) when (exception is DbUpdateConcurrencyException || UniqueViolation.Is(exception))
        {
            db.ChangeTracker.Clear();
            return await IdempotencyGuard.FindReplayAsync(db, tenant, command.IdempotencyKey, Operation, command.RequestSha256, cancellationToken)
                   ?? throw new ProblemException(Problems.CaseChanged);
        }

        changes.Committed();
        logger.LogInformation("Case {CaseId} moved to {Status} by {Tenant}", command.CaseId, command.Body.Status, tenant);
        return response;
    }

    private async Task<IdempotentResponse> MoveAsync(UpdateCaseStatus command, CancellationToken cancellationToken)
    {
        var tenant = command.Caller.TenantId;
        var body = command.Body;
        // Rolled back whole on any failure, so EF's savepoint around the save would be two round trips for nothing.
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await CaseChanges.LockReportAsync(db, command.CaseId, skipLocked: false, cancellationToken);
        // Only the case's agency and submitter find it at all (the query filter); which of them may make the move is next.
        var record = await db.Cases.Include(c => c.History).SingleOrDefaultAsync(c => c.Id == command.CaseId, cancellationToken)
            ?? throw new ProblemException(Problems.NotFound);

        var mayMove = CaseTransitions.IsSubmitterMove(body.Status) ? record.ReporterId == tenant : record.AgencyId == tenant;
        if (!mayMove)
        {
            throw new ProblemException(Problems.CaseMoveForbidden);
        }
        if (record.History.Count >= CaseLimits.MaxHistory)
        {
            throw new ProblemException(Problems.InvalidTransition, $"This case has made {CaseLimits.MaxHistory} moves, the most a case may make.");
        }
        if (!CaseTransitions.Allows(record.Status, body.Status))
        {
            throw new ProblemException(Problems.InvalidTransition,
                $"A case that is {WireNames<CaseStatus>.ToWire(record.Status)} cannot move to {WireNames<CaseStatus>.ToWire(body.Status)}.",
                new Dictionary<string, object?> { ["currentStatus"] = record.Status, ["requestedStatus"] = body.Status });
        }

        // The case, read through its filter, names its report: a caller who may see the case may see these two fields.
        var report = await db.Reports.IgnoreQueryFilters().Where(r => r.Id == record.ReportId)
            .Select(r => new { r.ExternalId, r.LiveEventEndsAt }).SingleAsync(cancellationToken);
        var move = new CaseMove(body.Status, tenant, body.Reason, body.OrderReference, body.EffectiveUntil, body.Note);
        if (body.Status == CaseStatus.OrderIssued)
        {
            // Checked here rather than in the validator, so that a replay of a once-valid move is not refused as time passes.
            var effectiveUntil = body.EffectiveUntil ?? report.LiveEventEndsAt + options.LiveEventMargin
                ?? throw OrderSafeguards.Invalid("effectiveUntil",
                    "is required, except for a live_sports_streaming report with a liveEvent, whose orders end by default at the event's end plus Cases:LiveEventMargin.");
            CheckOrderWindow(effectiveUntil, defaulted: body.EffectiveUntil is null);
            var overridden = await OrderSafeguards.CheckAsync(db, record, body, cancellationToken);
            move = move with
            {
                EffectiveUntil = effectiveUntil,
                SafeguardOverride = body.SafeguardOverride?.Reason,
                OverriddenTargets = overridden,
                OrderedTargets = body.OrderedTargets,
                NotOrderedReason = body.NotOrderedReason,
            };
        }
        await changes.ApplyAsync(db, record, report.ExternalId, move, cancellationToken);

        var details = await CaseViews.ToDetailsAsync(db, record, report.ExternalId, tenant, cancellationToken);
        var response = new IdempotentResponse(StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(details, ExchangeJson.Strict), null, Replayed: false);
        db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            TenantId = tenant,
            Key = command.IdempotencyKey,
            Operation = Operation,
            RequestSha256 = command.RequestSha256,
            StatusCode = response.StatusCode,
            ResponseBody = response.Body,
            CreatedAt = record.UpdatedAt,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    /// <summary>An order must end in the future and within <c>Cases:MaxOrderDuration</c>: no block lives forever.</summary>
    private void CheckOrderWindow(DateTimeOffset until, bool defaulted)
    {
        var now = clock.GetUtcNow();
        var error = until <= now && defaulted ? $"is required: the live event's default ({until:u}, its end plus Cases:LiveEventMargin) has passed."
            : until <= now ? "effectiveUntil must be in the future."
            : until > now + options.MaxOrderDuration ? $"effectiveUntil may be at most {options.MaxOrderDuration.TotalDays:0.##} days ahead."
            : null;
        if (error is not null)
        {
            throw new ProblemException(Problems.ValidationFailed, "1 field(s) are not valid.",
                new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["effectiveUntil"] = [error] } });
        }
    }
}
