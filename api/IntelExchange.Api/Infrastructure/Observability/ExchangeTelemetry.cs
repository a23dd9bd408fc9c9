using System.Diagnostics;

namespace IntelExchange.Api.Infrastructure.Observability;

/// <summary>
/// The exchange's own trace source and the W3C trace context that travels with work done later (outbox rows, callback
/// deliveries), so a trace runs from the partner's request through the outbox and the bus to the agency's consumer.
/// </summary>
internal static class ExchangeTelemetry
{
    public const string SourceName = "IntelExchange";
    public const string MeterName = "IntelExchange";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span as a <c>traceparent</c> (55 characters), or null outside a sampled W3C span.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity && activity.Id is { Length: TraceParentLength } id ? id : null;

    public const int TraceParentLength = 55;

    /// <summary>Starts a span that continues the trace stored with a row, or a new trace when none was stored.</summary>
    public static Activity? StartContinuing(string name, string? traceParent, ActivityKind kind = ActivityKind.Internal) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : Source.StartActivity(name, kind);
}
