using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Infrastructure.Observability;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Callbacks;

/// <summary>
/// Turns a case change into a callback delivery for the report's submitter, in the caller's unit of work, if the
/// submitter registered a webhook. The body is fixed now; the sender signs it afresh on every attempt.
/// </summary>
internal sealed class CallbackScheduler(CallbackSignal signal)
{
    public const string EventType = "case.status_changed";

    public async Task ScheduleAsync(ExchangeDb db, CaseStatusChanged change, string externalId, CancellationToken cancellationToken)
    {
        // Across tenants on purpose: the agency's move schedules the submitter's callback; only existence is read.
        if (!await db.WebhookEndpoints.IgnoreQueryFilters().AnyAsync(w => w.TenantId == change.Submitter, cancellationToken))
        {
            return;
        }
        var callback = new CaseStatusChangedCallback
        {
            Type = EventType,
            Timestamp = change.OccurredAt,
            Data = new CaseStatusChangedData
            {
                CaseId = change.CaseId,
                ReportId = change.ReportId,
                ExternalId = externalId,
                Agency = change.Agency,
                Status = change.Status,
                PreviousStatus = change.PreviousStatus,
                Reason = change.Reason,
                OrderReference = change.OrderReference,
                EffectiveUntil = change.EffectiveUntil,
                Sequence = change.Sequence,
                OccurredAt = change.OccurredAt,
            },
        };
        db.CallbackDeliveries.Add(new CallbackDelivery
        {
            Id = Guid.CreateVersion7(change.OccurredAt),
            TenantId = change.Submitter,
            CaseId = change.CaseId,
            Sequence = change.Sequence,
            Body = JsonSerializer.SerializeToUtf8Bytes(callback, ExchangeJson.Strict),
            Status = CallbackDeliveryStatus.Pending,
            NextAttemptAt = change.OccurredAt,
            CreatedAt = change.OccurredAt,
            TraceParent = ExchangeTelemetry.CurrentTraceParent(),
        });
    }

    /// <summary>Call after a commit that scheduled deliveries: the sender wakes at once instead of at its next poll.</summary>
    public void Committed() => signal.Notify();
}

/// <summary>Wakes the callback sender (one coalesced wake-up for many notifications).</summary>
internal sealed class CallbackSignal
{
    private readonly OutboxSignal _signal = new();

    public void Notify() => _signal.Notify();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
