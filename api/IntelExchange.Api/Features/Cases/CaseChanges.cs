using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Features.Callbacks;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Cases;

/// <summary>A change to make to a case, by a tenant or by the exchange itself.</summary>
internal sealed record CaseMove(
    CaseStatus Status, string Actor, string? Reason = null, string? OrderReference = null, DateTimeOffset? EffectiveUntil = null,
    string? Note = null, bool Expired = false)
{
    /// <summary>The agency's reason to order flagged targets (<see cref="OverriddenTargets"/>) anyway.</summary>
    public string? SafeguardOverride { get; init; }
    public IReadOnlyList<int>? OverriddenTargets { get; init; }

    /// <summary>A partial order's targets; null when the order covers them all.</summary>
    public IReadOnlyList<int>? OrderedTargets { get; init; }
    public string? NotOrderedReason { get; init; }

    public const string ExchangeActor = "exchange";

    public static readonly CaseMove Expiry = new(CaseStatus.Lifted, ExchangeActor, Reason: "expired", Expired: true);
}

/// <summary>
/// Applies a move to a case inside the caller's transaction: the history row, the new state, the report's status, the
/// bus messages to the agency (outbox), the callback to the submitter and the audit entry all commit together, or not
/// at all.
/// </summary>
internal sealed class CaseChanges(Outbox outbox, CallbackScheduler callbacks, AuditLedger ledger, TimeProvider clock)
{
    /// <summary>
    /// Serialises changes to one report's cases until commit, because the report's status depends on all of them.
    /// PostgreSQL locks the report row (every writer locks it first, so there is one lock order); SQLite's IMMEDIATE
    /// transaction already holds the database's write lock. False when the row is missing or, with
    /// <paramref name="skipLocked"/>, held by another transaction.
    /// </summary>
    public static async Task<bool> LockReportAsync(ExchangeDb db, Guid caseId, bool skipLocked, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Case changes need an explicit transaction.");
        }
        if (!db.IsPostgres)
        {
            return true;
        }
        var locked = skipLocked
            ? db.Database.SqlQuery<Guid>($"""
                SELECT r."Id" AS "Value" FROM "Reports" AS r
                WHERE r."Id" = (SELECT c."ReportId" FROM "Cases" AS c WHERE c."Id" = {caseId}) FOR UPDATE SKIP LOCKED
                """)
            : db.Database.SqlQuery<Guid>($"""
                SELECT r."Id" AS "Value" FROM "Reports" AS r
                WHERE r."Id" = (SELECT c."ReportId" FROM "Cases" AS c WHERE c."Id" = {caseId}) FOR UPDATE
                """);
        return (await locked.ToListAsync(cancellationToken)).Count > 0;
    }

    /// <summary>
    /// Moves a tracked case; the caller has checked the transition and who makes it, and then saves and commits. The
    /// audit entries join the same unit of work (as pending entries, chained after commit).
    /// </summary>
    public async Task<CaseEvent> ApplyAsync(ExchangeDb db, CaseRecord record, string externalId, CaseMove move, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Case changes need an explicit transaction.");
        }
        var now = clock.GetUtcNow();
        var previous = record.Status;
        record.Status = move.Status;
        record.Sequence++;
        record.UpdatedAt = now;
        if (move.Status == CaseStatus.OrderIssued)
        {
            record.OrderReference = move.OrderReference;
            record.EffectiveUntil = move.EffectiveUntil;
            record.OrderedTargets = CaseTargetViews.FormatIndexes(move.OrderedTargets);
            record.NotOrderedReason = move.NotOrderedReason;
            record.SafeguardOverridden = move.SafeguardOverride is not null;
        }
        RecordForStatistics(record, move, now);

        var change = new CaseEvent
        {
            Id = Guid.CreateVersion7(now),
            CaseId = record.Id,
            Sequence = record.Sequence,
            Status = move.Status,
            PreviousStatus = previous,
            Actor = move.Actor,
            Reason = move.Reason,
            OrderReference = move.OrderReference,
            EffectiveUntil = move.EffectiveUntil,
            Note = move.Note,
            SafeguardOverrideReason = move.SafeguardOverride,
            SafeguardOverrideTargets = move.SafeguardOverride is null ? null : CaseTargetViews.FormatIndexes(move.OverriddenTargets),
            OrderedTargets = CaseTargetViews.FormatIndexes(move.OrderedTargets),
            NotOrderedReason = move.NotOrderedReason,
            OccurredAt = now,
        };
        db.CaseEvents.Add(change);

        var changed = new CaseStatusChanged
        {
            CaseId = record.Id,
            ReportId = record.ReportId,
            Agency = record.AgencyId,
            Submitter = record.ReporterId,
            Status = move.Status,
            PreviousStatus = previous,
            Sequence = record.Sequence,
            Actor = move.Actor,
            Reason = move.Reason,
            OrderReference = record.OrderReference,
            EffectiveUntil = record.EffectiveUntil,
            OccurredAt = now,
        };
        outbox.Enqueue(db, record.AgencyId, changed);
        if (move.Status == CaseStatus.Lifted)
        {
            outbox.Enqueue(db, record.AgencyId, new CaseLifted
            {
                CaseId = record.Id,
                ReportId = record.ReportId,
                Agency = record.AgencyId,
                Expired = move.Expired,
                Sequence = record.Sequence,
                LiftedAt = now,
            });
        }

        await UpdateReportStatusAsync(db, record, cancellationToken);
        await callbacks.ScheduleAsync(db, changed, externalId, cancellationToken);
        ledger.Append(db, AuditEntryKind.CaseStatusChanged, move.Actor, AuditSubject.Case(record.Id, record.AgencyId, record.ReporterId), new
        {
            caseId = record.Id,
            reportId = record.ReportId,
            agency = record.AgencyId,
            submitter = record.ReporterId,
            status = WireNames<CaseStatus>.ToWire(move.Status),
            previousStatus = WireNames<CaseStatus>.ToWire(previous),
            sequence = record.Sequence,
            reason = move.Reason,
            orderReference = move.OrderReference,
            effectiveUntil = move.EffectiveUntil,
            note = move.Note,
            expired = move.Expired,
            orderedTargets = move.OrderedTargets,
        });
        if (move.SafeguardOverride is not null)
        {
            ledger.Append(db, AuditEntryKind.SafeguardOverridden, move.Actor, AuditSubject.Case(record.Id, record.AgencyId, record.ReporterId), new
            {
                caseId = record.Id,
                reportId = record.ReportId,
                sequence = record.Sequence,
                reason = move.SafeguardOverride,
                givenBy = move.Actor,
                flaggedTargetsOrdered = move.OverriddenTargets,
            });
        }
        return change;
    }

    /// <summary>What GET /v1/stats and the per-target outcomes read without walking the history.</summary>
    private static void RecordForStatistics(CaseRecord record, CaseMove move, DateTimeOffset now)
    {
        if (move.Status is CaseStatus.OrderIssued or CaseStatus.Rejected && record.DecisionMilliseconds is null)
        {
            record.DecisionMilliseconds = Math.Max(0, (long)(now - record.CreatedAt).TotalMilliseconds);
        }
        if (move.Status == CaseStatus.Enforced)
        {
            record.Enforced = true;
        }
        if (move.Status is CaseStatus.Rejected or CaseStatus.Withdrawn)
        {
            record.NotOrderedReason = move.Reason ?? (move.Status == CaseStatus.Rejected ? "rejected by the agency" : "withdrawn by the submitter");
        }
    }

    /// <summary>After commit: wake the outbox dispatcher and the callback sender.</summary>
    public void Committed()
    {
        outbox.Committed();
        callbacks.Committed();
    }

    /// <summary>A report is in progress once any case moved, and closed when every case is terminal.</summary>
    private static async Task UpdateReportStatusAsync(ExchangeDb db, CaseRecord record, CancellationToken cancellationToken)
    {
        // Across tenants on purpose: the report's status depends on its cases with other agencies, of which only the
        // statuses are read, never shown.
        var siblings = await db.Cases.AsNoTracking().IgnoreQueryFilters()
            .Where(c => c.ReportId == record.ReportId && c.Id != record.Id).Select(c => c.Status).ToListAsync(cancellationToken);
        var status = siblings.Append(record.Status).All(CaseTransitions.IsTerminal) ? ReportStatus.Closed : ReportStatus.InProgress;
        await db.Reports.IgnoreQueryFilters().Where(r => r.Id == record.ReportId && r.Status != status)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Status, status), cancellationToken);
    }
}
