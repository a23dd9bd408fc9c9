using System.Diagnostics;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Infrastructure.Observability;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Callbacks;

/// <summary>
/// Sends due callback deliveries. Woken on commit, and polls every second for retries and for work committed by other
/// instances. All state is in the database, so pending deliveries survive a restart.
/// <list type="bullet">
/// <item>Per case, a change is sent only once every earlier change is delivered or dead (sequence order).</item>
/// <item>A delivery is claimed before it is sent: a lease on the row, taken in a short transaction (PostgreSQL:
/// <c>FOR UPDATE SKIP LOCKED</c>; SQLite: under the single-instance job lease), so no two instances send it at the same
/// time and no transaction stays open across a receiver's 15 s.</item>
/// <item>Any 2xx is delivered; otherwise the next attempt follows <c>Callbacks:RetrySchedule</c>, then it is dead.</item>
/// </list>
/// </summary>
internal sealed class CallbackSender(
    IServiceScopeFactory scopes,
    CallbackHttp http,
    CallbackSignal signal,
    CallbackOptions options,
    ExchangeMetrics metrics,
    TimeProvider clock,
    ILogger<CallbackSender> logger) : BackgroundService
{
    private const int BatchSize = 50;
    private const string LeaseName = "callbacks";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ClaimDuration = CallbackHttp.ConnectTimeout + CallbackHttp.RequestTimeout + TimeSpan.FromSeconds(40);
    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A pipeline, not batch-and-wait: up to BatchSize attempts are in flight, and a free slot is filled at once, so
        // one slow receiver never holds back the callbacks committed behind it.
        var inFlight = new HashSet<Task>();
        Task? wake = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            // A wake-up that has fired is answered by the claim below, which starts after it.
            if (wake is { IsCompleted: true })
            {
                wake = null;
            }
            int claimed = 0, requested = 0;
            try
            {
                inFlight.RemoveWhere(task => task.IsCompleted);
                requested = BatchSize - inFlight.Count;
                if (requested > 0)
                {
                    var batch = await ClaimAsync(requested, stoppingToken);
                    claimed = batch.Count;
                    foreach (var delivery in batch)
                    {
                        inFlight.Add(SendAsync(delivery, stoppingToken));
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Callback round failed");
            }
            // A full claim may have left more waiting; a commit signalled during the claim may not have been seen by it.
            if ((claimed > 0 && claimed == requested) || wake is { IsCompleted: true })
            {
                continue;
            }
            // Wake on a commit, on a finished attempt (a slot, or the next change of that case, is free), or at the poll.
            // One wait on the signal stays outstanding across rounds, so no notification is taken by an abandoned wait.
            wake ??= signal.WaitAsync(PollInterval, stoppingToken);
            await Task.WhenAny(inFlight.Append(wake));
        }
        await Task.WhenAll(inFlight);
    }

    private async Task SendAsync(Claimed delivery, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await AttemptAsync(delivery, cancellationToken);
            await RecordAsync([(delivery.Id, outcome)], cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the lease is handed back in StopAsync, or expires.
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Callback {DeliveryId} could not be recorded; its lease expires and it is sent again", delivery.Id);
        }
    }

    /// <summary>On a graceful stop, hands back what this instance holds so that another (or the next) one resumes at once.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateSystemScope();
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
            await db.CallbackDeliveries.Where(d => d.LeaseHolder == _instance)
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null).SetProperty(d => d.LeaseHolder, (string?)null), cancellationToken);
            await db.JobLeases.Where(l => l.Name == LeaseName && l.Holder == _instance).ExecuteDeleteAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not release the callback leases; they expire by themselves");
        }
    }

    private async Task<CallbackOutcome> AttemptAsync(Claimed claimed, CancellationToken cancellationToken)
    {
        using var activity = ExchangeTelemetry.StartContinuing("callback send", claimed.TraceParent);
        activity?.SetTag("intelx.callback.id", claimed.Id.ToString());
        var outcome = claimed.Url is null
            ? new CallbackOutcome(false, null, "no webhook registered")
            : await http.PostAsync(claimed.Url, "msg_" + claimed.Id.ToString("N"), claimed.Body, claimed.Secrets, cancellationToken);
        if (!outcome.Delivered)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Error ?? $"HTTP {outcome.StatusCode}");
        }
        return outcome;
    }

    private sealed record Claimed(Guid Id, byte[] Body, Uri? Url, IReadOnlyList<string> Secrets, string? TraceParent);

    private async Task<List<Claimed>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();

        List<CallbackDelivery> rows;
        if (db.IsPostgres)
        {
            const string pending = "pending";
            rows = await db.CallbackDeliveries.FromSqlInterpolated($"""
                SELECT d.* FROM "CallbackDeliveries" AS d
                WHERE d."Status" = {pending} AND d."NextAttemptAt" <= {now} AND (d."LeaseUntil" IS NULL OR d."LeaseUntil" < {now})
                  AND NOT EXISTS (SELECT 1 FROM "CallbackDeliveries" AS p
                                  WHERE p."CaseId" = d."CaseId" AND p."Status" = {pending} AND p."Sequence" < d."Sequence")
                ORDER BY d."NextAttemptAt" LIMIT {limit}
                FOR UPDATE OF d SKIP LOCKED
                """).IgnoreQueryFilters().ToListAsync(cancellationToken); // as written: a filter would wrap it in a sub-select
        }
        else
        {
            if (!await JobLeases.TryAcquireAsync(db, LeaseName, _instance, now, TimeSpan.FromSeconds(30), cancellationToken))
            {
                return [];
            }
            rows = await db.CallbackDeliveries
                .Where(d => d.Status == CallbackDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now)
                            && !db.CallbackDeliveries.Any(p => p.CaseId == d.CaseId && p.Status == CallbackDeliveryStatus.Pending && p.Sequence < d.Sequence))
                .OrderBy(d => d.NextAttemptAt).Take(limit).ToListAsync(cancellationToken);
        }
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return [];
        }

        foreach (var row in rows)
        {
            row.LeaseUntil = now + ClaimDuration;
            row.LeaseHolder = _instance;
        }
        var tenants = rows.Select(r => r.TenantId).Distinct().ToList();
        var webhooks = await db.WebhookEndpoints.AsNoTracking().Where(w => tenants.Contains(w.TenantId)).ToDictionaryAsync(w => w.TenantId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        return rows.Select(row => webhooks.TryGetValue(row.TenantId, out var webhook)
            ? new Claimed(row.Id, row.Body, new Uri(webhook.Url), SigningSecrets(webhook, now), row.TraceParent)
            : new Claimed(row.Id, row.Body, null, [], row.TraceParent)).ToList();
    }

    /// <summary>The current secret, and during the rotation grace period the previous one too (one signature each).</summary>
    private static List<string> SigningSecrets(WebhookEndpoint webhook, DateTimeOffset now) =>
        webhook.PreviousSecret is not null && webhook.PreviousSecretExpiresAt > now ? [webhook.Secret, webhook.PreviousSecret] : [webhook.Secret];

    private async Task RecordAsync(List<(Guid Id, CallbackOutcome Outcome)> results, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        var ids = results.Select(r => r.Id).ToList();
        var rows = await db.CallbackDeliveries.Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var (id, outcome) in results)
        {
            var row = rows[id];
            row.Attempts++;
            row.ScheduleStep++;
            row.LastAttemptAt = now;
            row.LastStatusCode = outcome.StatusCode;
            row.LastError = outcome.Error;
            row.LeaseUntil = null;
            row.LeaseHolder = null;
            if (outcome.Delivered)
            {
                row.Status = CallbackDeliveryStatus.Delivered;
                row.DeliveredAt = now;
                row.NextAttemptAt = null;
                metrics.CallbackDelivered(row.TenantId);
            }
            else if (options.RetryDelay(row.ScheduleStep) is { } delay)
            {
                row.NextAttemptAt = now + delay;
                metrics.CallbackFailed(row.TenantId);
            }
            else
            {
                row.Status = CallbackDeliveryStatus.Dead;
                row.NextAttemptAt = null;
                metrics.CallbackFailed(row.TenantId);
                metrics.CallbackDeadLettered(row.TenantId);
            }
            logger.LogInformation("Callback {DeliveryId} to {Tenant}: attempt {Attempt} {Outcome} ({StatusCode}); now {Status}",
                id, row.TenantId, row.Attempts, outcome.Delivered ? "delivered" : "failed", outcome.StatusCode, row.Status);
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
