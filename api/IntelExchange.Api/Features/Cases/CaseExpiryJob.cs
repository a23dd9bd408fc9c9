using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Infrastructure.Observability;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Cases;

/// <summary>
/// No block lives forever: every <c>Cases:ExpiryIntervalSeconds</c> this moves each order whose <c>effectiveUntil</c> has
/// passed to <c>lifted</c> (actor <c>exchange</c>, reason <c>expired</c>). Exactly once across instances: on PostgreSQL
/// each case is claimed by locking its report with <c>FOR UPDATE SKIP LOCKED</c> and re-read under the lock; on SQLite a
/// lease lets one instance run the job. The case's sequence is a concurrency token besides.
/// </summary>
internal sealed class CaseExpiryJob(
    IServiceScopeFactory scopes,
    CaseChanges changes,
    CaseOptions options,
    ExchangeMetrics metrics,
    TimeProvider clock,
    ILogger<CaseExpiryJob> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private const string LeaseName = "case-expiry";
    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ExpiryInterval);
        do
        {
            try
            {
                await LiftExpiredAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Case expiry round failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>On a graceful stop, hands the SQLite lease back so that the next instance takes over at once.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateSystemScope();
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
            await db.JobLeases.Where(l => l.Name == LeaseName && l.Holder == _instance).ExecuteDeleteAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not release the case expiry lease; it expires by itself");
        }
    }

    private async Task LiftExpiredAsync(CancellationToken cancellationToken)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateSystemScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
            var now = clock.GetUtcNow();
            if (!db.IsPostgres && !await JobLeases.TryAcquireAsync(db, LeaseName, _instance, now, TimeSpan.FromSeconds(30) + options.ExpiryInterval, cancellationToken))
            {
                return;
            }
            due = await db.Cases.AsNoTracking()
                .Where(c => (c.Status == CaseStatus.OrderIssued || c.Status == CaseStatus.Enforced) && c.EffectiveUntil <= now)
                .OrderBy(c => c.EffectiveUntil).Select(c => c.Id).Take(BatchSize).ToListAsync(cancellationToken);
        }

        foreach (var caseId in due)
        {
            await LiftAsync(caseId, cancellationToken);
        }
    }

    private async Task LiftAsync(Guid caseId, CancellationToken cancellationToken)
    {
        // A trace of its own, which the agency's CaseLifted and the submitter's callback continue.
        using var activity = ExchangeTelemetry.Source.StartActivity("case expire");
        activity?.SetTag("intelx.case.id", caseId.ToString());
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (!await CaseChanges.LockReportAsync(db, caseId, skipLocked: true, cancellationToken))
            {
                return; // another transaction holds the report; the next round looks again
            }
            var record = await db.Cases.SingleAsync(c => c.Id == caseId, cancellationToken);
            if (!CaseTransitions.IsInForce(record.Status) || record.EffectiveUntil > clock.GetUtcNow())
            {
                return; // lifted or changed meanwhile
            }
            var externalId = await db.Reports.Where(r => r.Id == record.ReportId).Select(r => r.ExternalId).SingleAsync(cancellationToken);
            await changes.ApplyAsync(db, record, externalId, CaseMove.Expiry, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception is DbUpdateConcurrencyException || UniqueViolation.Is(exception))
        {
            logger.LogDebug("Case {CaseId} changed while being lifted; skipped", caseId);
            return;
        }

        changes.Committed();
        metrics.CaseExpired();
        logger.LogInformation("Case {CaseId} lifted: its order expired", caseId);
    }
}
