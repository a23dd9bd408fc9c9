using System.Diagnostics;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Observability;
using IntelExchange.Contracts.V1;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Infrastructure.Messaging;

/// <summary>Whether the dispatcher is making progress; read by <c>/health/ready</c>.</summary>
internal sealed class DispatcherHealth
{
    public DateTimeOffset LastSuccess { get; set; } = DateTimeOffset.UtcNow;
    public int ConsecutiveFailures { get; set; }
    public string? LastError { get; set; }
}

/// <summary>
/// Sends committed outbox rows through MassTransit to each recipient's endpoint, with publisher confirms and a timeout
/// on every send (RabbitMQ.Client 7 can hang on confirms after a broker restart). The row id is the MessageId, so
/// consumers deduplicate a row sent twice after a crash. Woken on commit; polls every second for retries and for rows
/// committed by other instances. Instances never send the same row at the same time: on PostgreSQL each claims rows
/// with <c>FOR UPDATE SKIP LOCKED</c>; on SQLite (single instance) a lease row guards the loop.
/// It also gives each newly shared case its position in the agency's intel feed, in commit order.
/// </summary>
internal sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal signal,
    DispatcherHealth health,
    ExchangeMetrics metrics,
    TimeProvider clock,
    IConfiguration configuration,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 200;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly Dictionary<string, Type> MessageTypes = new[]
    {
        typeof(ReportShared), typeof(CaseStatusChanged), typeof(CaseLifted), typeof(AuditCheckpointIssued),
    }.ToDictionary(t => t.Name);

    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly TimeSpan _sendTimeout = TimeSpan.FromSeconds(configuration.GetValue("Messaging:SendTimeoutSeconds", 10));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue("Outbox:DispatchEnabled", true))
        {
            logger.LogWarning("Outbox dispatch is disabled on this instance (Outbox:DispatchEnabled=false)");
            return;
        }
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (sent, failed) = await DispatchBatchAsync(stoppingToken);
                if (failed > 0)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
                    await Task.Delay(backoff, stoppingToken);
                    continue;
                }
                backoff = TimeSpan.Zero;
                if (sent == BatchSize)
                {
                    continue; // more may be waiting
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                health.ConsecutiveFailures++;
                health.LastError = exception.GetType().Name;
                logger.LogWarning(exception, "Outbox dispatch round failed");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }

            await signal.WaitAsync(PollInterval, stoppingToken);
        }
    }

    /// <summary>
    /// Works across tenants in a system scope; the locking queries also ignore the filters so that PostgreSQL runs
    /// them as written rather than wrapped in a sub-select.
    /// </summary>
    private async Task<(int Sent, int Failed)> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();

        List<OutboxMessage> rows;
        if (db.IsPostgres)
        {
            rows = await db.OutboxMessages.FromSqlInterpolated($"""
                SELECT * FROM "OutboxMessages"
                WHERE "SentAt" IS NULL AND "NextAttemptAt" <= {now}
                ORDER BY "Id" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                """).IgnoreQueryFilters().ToListAsync(cancellationToken);
        }
        else
        {
            if (!await JobLeases.TryAcquireAsync(db, "outbox", _instance, now, TimeSpan.FromSeconds(30), cancellationToken))
            {
                return (0, 0);
            }
            rows = await db.OutboxMessages.Where(m => m.SentAt == null && m.NextAttemptAt <= now)
                .OrderBy(m => m.Id).Take(BatchSize).ToListAsync(cancellationToken);
        }

        await SequenceFeedAsync(db, cancellationToken);
        if (rows.Count == 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (0, 0);
        }

        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(rows.Select(row => SendAsync(row, cancellationToken)));
        var sentAt = clock.GetUtcNow();
        var failed = 0;
        foreach (var (row, error) in rows.Zip(results))
        {
            row.Attempts++;
            if (error is null)
            {
                row.SentAt = sentAt;
                row.LastError = null;
            }
            else
            {
                failed++;
                row.LastError = error.Length > 2000 ? error[..2000] : error;
                row.NextAttemptAt = sentAt + RetryDelay(row.Attempts);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        if (failed == 0)
        {
            health.LastSuccess = sentAt;
            health.ConsecutiveFailures = 0;
            health.LastError = null;
        }
        else
        {
            health.ConsecutiveFailures++;
            health.LastError = results.First(r => r is not null);
            logger.LogWarning("Outbox: {Failed} of {Count} sends failed ({Error}); will retry", failed, rows.Count, health.LastError);
        }
        logger.LogDebug("Outbox: sent {Sent} in {Elapsed} ms", rows.Count - failed, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return (rows.Count - failed, failed);
    }

    private async Task<string?> SendAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        using var activity = ExchangeTelemetry.StartContinuing($"outbox send {row.MessageType}", row.TraceParent);
        activity?.SetTag("messaging.message.id", row.Id.ToString());
        activity?.SetTag("messaging.destination.name", BusNames.AgencyEndpoint(row.Destination));
        var error = await TrySendAsync(row, cancellationToken);
        if (error is null)
        {
            metrics.OutboxSent(row.MessageType);
        }
        else
        {
            metrics.OutboxSendFailed(row.MessageType);
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }
        return error;
    }

    private async Task<string?> TrySendAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        try
        {
            var type = MessageTypes[row.MessageType];
            var message = JsonSerializer.Deserialize(row.Body, type, Outbox.MessageJson)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_sendTimeout);
            var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{BusNames.AgencyEndpoint(row.Destination)}"));
            await endpoint.Send(message, type, context =>
            {
                context.MessageId = row.Id;
                context.Headers.Set("intelx-destination", row.Destination);
            }, timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"send timed out after {_sendTimeout.TotalSeconds} s";
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return $"{exception.GetType().Name}: {exception.Message}";
        }
    }

    private static TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, Math.Min(attempts - 1, 10)), 30_000));

    /// <summary>
    /// Gives new cases their feed position, in this round's transaction. The counter row stays locked until commit, so
    /// positions become visible in increasing order and a reader paging with <c>after</c> never skips one. If another
    /// instance holds the counter, this round leaves sequencing to it.
    /// </summary>
    private static async Task<int> SequenceFeedAsync(ExchangeDb db, CancellationToken cancellationToken)
    {
        var cases = db.IsPostgres
            ? await db.Cases.FromSqlRaw("""SELECT * FROM "Cases" WHERE "FeedPosition" IS NULL ORDER BY "Id" LIMIT 1000 FOR UPDATE SKIP LOCKED""").IgnoreQueryFilters().ToListAsync(cancellationToken)
            : await db.Cases.Where(c => c.FeedPosition == null).OrderBy(c => c.Id).Take(1000).ToListAsync(cancellationToken);
        if (cases.Count == 0)
        {
            return 0;
        }
        var counter = db.IsPostgres
            ? await db.SequenceCounters.FromSqlInterpolated($"""SELECT * FROM "SequenceCounters" WHERE "Name" = {SequenceCounterNames.Feed} FOR UPDATE SKIP LOCKED""").SingleOrDefaultAsync(cancellationToken)
            : await db.SequenceCounters.SingleAsync(s => s.Name == SequenceCounterNames.Feed, cancellationToken);
        if (counter is null)
        {
            return 0;
        }
        foreach (var shared in cases)
        {
            shared.FeedPosition = ++counter.Value;
        }
        return cases.Count;
    }
}

internal static class JobLeases
{
    /// <summary>Takes or renews the named lease for <paramref name="holder"/> if it is free, expired or already held.</summary>
    public static async Task<bool> TryAcquireAsync(ExchangeDb db, string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken)
    {
        var lease = await db.JobLeases.SingleOrDefaultAsync(l => l.Name == name, cancellationToken);
        if (lease is null)
        {
            db.JobLeases.Add(new JobLease { Name = name, Holder = holder, ExpiresAt = now + duration });
        }
        else if (lease.Holder == holder || lease.ExpiresAt < now)
        {
            lease.Holder = holder;
            lease.ExpiresAt = now + duration;
        }
        else
        {
            return false;
        }
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}
