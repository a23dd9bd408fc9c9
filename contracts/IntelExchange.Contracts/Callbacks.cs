using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace IntelExchange.Contracts;

/// <summary>The body of <c>PUT /v1/partners/me/webhook</c>.</summary>
public sealed record RegisterWebhookRequest
{
    /// <summary>Where the exchange POSTs case changes: https, a public address.</summary>
    [MaxLength(ReportLimits.Url)]
    public required string Url { get; init; }
}

/// <summary>The answer to a webhook registration: the only time the secret is shown.</summary>
public sealed record WebhookRegistered
{
    /// <summary>The registered URL.</summary>
    [MaxLength(ReportLimits.Url)]
    public required string Url { get; init; }

    /// <summary><c>whsec_</c> + base64 of 32 random bytes; the HMAC key is the base64-decoded part.</summary>
    [MaxLength(64)]
    public required string Secret { get; init; }
}

/// <summary>The tenant's webhook, without its secret.</summary>
public sealed record WebhookDetails
{
    /// <summary>The registered URL.</summary>
    [MaxLength(ReportLimits.Url)]
    public required string Url { get; init; }

    /// <summary>When the webhook was first registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the URL or secret last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A callback as the exchange POSTs it (Standard Webhooks): <c>type</c>, <c>timestamp</c> and <c>data</c>.</summary>
public sealed record CaseStatusChangedCallback
{
    /// <summary>Always <c>case.status_changed</c>.</summary>
    [MaxLength(64)]
    public required string Type { get; init; }

    /// <summary>When the event happened (RFC 3339).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The change.</summary>
    public required CaseStatusChangedData Data { get; init; }
}

/// <summary>What changed on a case. The receiver orders changes per case by <see cref="Sequence"/>.</summary>
public sealed record CaseStatusChangedData
{
    /// <summary>The case id.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The report id.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The submitter's own reference for the report.</summary>
    [MaxLength(ReportLimits.ExternalId)]
    public required string ExternalId { get; init; }

    /// <summary>The agency that decides the case.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Agency { get; init; }

    /// <summary>The new status.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>The status before the change.</summary>
    public required CaseStatus PreviousStatus { get; init; }

    /// <summary>Why, as given by the actor.</summary>
    [MaxLength(CaseLimits.Reason)]
    public required string? Reason { get; init; }

    /// <summary>The order's reference, once an order was issued.</summary>
    [MaxLength(ReportLimits.Reference)]
    public required string? OrderReference { get; init; }

    /// <summary>When the order stops having effect.</summary>
    public required DateTimeOffset? EffectiveUntil { get; init; }

    /// <summary>Per-case sequence of the change.</summary>
    public required int Sequence { get; init; }

    /// <summary>When the change happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>One callback to the tenant's webhook and where its delivery stands.</summary>
public sealed record CallbackDeliveryItem
{
    /// <summary>The delivery id (the <c>webhook-id</c> header is <c>msg_</c> + this id without dashes).</summary>
    public required Guid Id { get; init; }

    /// <summary>The case whose change this announces.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The change's per-case sequence.</summary>
    public required int Sequence { get; init; }

    /// <summary>pending, delivered or dead.</summary>
    public required CallbackDeliveryStatus Status { get; init; }

    /// <summary>How many times the exchange tried to deliver it.</summary>
    public required int Attempts { get; init; }

    /// <summary>The HTTP status of the last attempt, if one was received.</summary>
    public required int? LastStatusCode { get; init; }

    /// <summary>Why the last attempt failed, in the exchange's words (never the receiver's body).</summary>
    [MaxLength(200)]
    public required string? LastError { get; init; }

    /// <summary>When the next attempt is due, while pending.</summary>
    public required DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>When it was delivered.</summary>
    public required DateTimeOffset? DeliveredAt { get; init; }
}

/// <summary>Where a callback delivery stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CallbackDeliveryStatus>))]
public enum CallbackDeliveryStatus
{
    /// <summary>Not delivered yet; another attempt is due.</summary>
    [JsonStringEnumMemberName("pending")] Pending,
    /// <summary>The receiver answered 2xx.</summary>
    [JsonStringEnumMemberName("delivered")] Delivered,
    /// <summary>Every attempt failed; only a redelivery sends it again.</summary>
    [JsonStringEnumMemberName("dead")] Dead,
}
