using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Observability;

namespace IntelExchange.Api.Infrastructure.Messaging;

/// <summary>
/// Writes bus messages as rows in the caller's unit of work, so they commit (or not) with the change they announce.
/// The dispatcher sends them after commit; the row id becomes the MassTransit MessageId.
/// </summary>
internal sealed class Outbox(OutboxSignal signal, TimeProvider clock)
{
    public static readonly JsonSerializerOptions MessageJson = new(JsonSerializerDefaults.Web);

    public void Enqueue<T>(ExchangeDb db, string destination, T message) where T : class
    {
        var now = clock.GetUtcNow();
        db.OutboxMessages.Add(new OutboxMessage
        {
            Id = Guid.CreateVersion7(now),
            MessageType = typeof(T).Name,
            Destination = destination,
            Body = JsonSerializer.Serialize(message, MessageJson),
            CreatedAt = now,
            NextAttemptAt = now,
            TraceParent = ExchangeTelemetry.CurrentTraceParent(),
        });
    }

    /// <summary>Call after a commit that enqueued messages: the dispatcher wakes at once instead of at its next poll.</summary>
    public void Committed() => signal.Notify();
}

/// <summary>Wakes the outbox dispatcher. Coalesces many notifications into one wake-up.</summary>
internal sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another thread signalled first; one wake-up is enough.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
