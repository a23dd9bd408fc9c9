using System.Diagnostics.Metrics;
using IntelExchange.Api.Security;

namespace IntelExchange.Api.Infrastructure.Observability;

/// <summary>
/// The exchange's metrics (meter <c>IntelExchange</c>), named as they appear on <c>/metrics</c>. Hot paths only add to
/// counters; gauges are read at scrape time from values a background sampler keeps (<see cref="OpsGaugeSampler"/>) or
/// from the in-memory tenant directory, so a scrape never waits on the database or the broker.
/// </summary>
internal sealed class ExchangeMetrics
{
    private readonly Counter<long> _reportsAccepted;
    private readonly Counter<long> _reportsRefused;
    private readonly Counter<long> _outboxSent;
    private readonly Counter<long> _outboxSendFailures;
    private readonly Counter<long> _callbacksDelivered;
    private readonly Counter<long> _callbackFailures;
    private readonly Counter<long> _callbacksDeadLettered;
    private readonly Counter<long> _casesExpired;

    public ExchangeMetrics(IMeterFactory meters, OpsGauges gauges, TenantDirectory directory, TimeProvider clock)
    {
        var meter = meters.Create(ExchangeTelemetry.MeterName);
        _reportsAccepted = meter.CreateCounter<long>("intelx.reports.accepted", "{report}",
            "Reports accepted (202). replayed=true counts idempotent replays of an earlier acceptance.");
        _reportsRefused = meter.CreateCounter<long>("intelx.reports.refused", "{report}",
            "Report submissions refused, by problem type (the slug of the RFC 9457 type URI).");
        _outboxSent = meter.CreateCounter<long>("intelx.outbox.sent", "{message}", "Outbox messages sent to the broker and confirmed.");
        _outboxSendFailures = meter.CreateCounter<long>("intelx.outbox.send_failures", "{message}", "Outbox sends that failed or timed out (retried later).");
        _callbacksDelivered = meter.CreateCounter<long>("intelx.callbacks.delivered", "{callback}", "Callbacks answered with a 2xx.");
        _callbackFailures = meter.CreateCounter<long>("intelx.callbacks.failures", "{attempt}", "Callback attempts that failed (non-2xx, timeout, refused address).");
        _callbacksDeadLettered = meter.CreateCounter<long>("intelx.callbacks.dead_lettered", "{callback}", "Callbacks dead-lettered after the last retry.");
        _casesExpired = meter.CreateCounter<long>("intelx.cases.expired", "{case}", "Orders lifted by the exchange because effectiveUntil passed.");

        meter.CreateObservableGauge("intelx.outbox.lag", () => gauges.OutboxLagSeconds, "s",
            "Age of the oldest unsent outbox row (0 when none is waiting).");
        meter.CreateObservableGauge("intelx.outbox.backlog", () => gauges.OutboxBacklog, "{message}", "Outbox rows not yet sent.");
        meter.CreateObservableGauge("intelx.callbacks.pending", () => gauges.CallbacksPending, "{callback}", "Callback deliveries waiting for a (re)try.");
        meter.CreateObservableGauge("intelx.callbacks.dead", () => gauges.CallbacksDead, "{callback}",
            "Callback deliveries dead-lettered and not redelivered since.");
        meter.CreateObservableGauge("intelx.queue.depth", () => gauges.QueueDepths, "{message}",
            "Ready messages in each agency queue and its _error queue (RabbitMQ only).");
        meter.CreateObservableGauge("intelx.client_certificate.expiry", () => CertificateExpiry(directory, clock), "d",
            "Days until the soonest notAfter among each tenant's active client certificates (negative once expired).");
    }

    public void ReportAccepted(bool replayed) => _reportsAccepted.Add(1, new KeyValuePair<string, object?>("replayed", replayed ? "true" : "false"));

    public void ReportRefused(string problemType) => _reportsRefused.Add(1, new KeyValuePair<string, object?>("problem_type", problemType));

    public void OutboxSent(string messageType) => _outboxSent.Add(1, new KeyValuePair<string, object?>("message_type", messageType));

    public void OutboxSendFailed(string messageType) => _outboxSendFailures.Add(1, new KeyValuePair<string, object?>("message_type", messageType));

    public void CallbackDelivered(string tenant) => _callbacksDelivered.Add(1, new KeyValuePair<string, object?>("tenant", tenant));

    public void CallbackFailed(string tenant) => _callbackFailures.Add(1, new KeyValuePair<string, object?>("tenant", tenant));

    public void CallbackDeadLettered(string tenant) => _callbacksDeadLettered.Add(1, new KeyValuePair<string, object?>("tenant", tenant));

    public void CaseExpired() => _casesExpired.Add(1);

    private static IEnumerable<Measurement<double>> CertificateExpiry(TenantDirectory directory, TimeProvider clock)
    {
        var snapshot = directory.Current;
        var now = clock.GetUtcNow();
        return snapshot.Credentials.Values
            .Where(c => !c.Revoked && snapshot.Tenants.TryGetValue(c.TenantId, out var tenant) && !tenant.Suspended)
            .GroupBy(c => c.TenantId)
            .Select(g => new Measurement<double>(
                Math.Round((g.Min(c => c.NotAfter) - now).TotalDays, 2), new KeyValuePair<string, object?>("tenant", g.Key)))
            .ToList();
    }
}
