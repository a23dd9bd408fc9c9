using IntelExchange.Contracts.V1;

namespace IntelExchange.Client.Agency;

/// <summary>
/// What an agency does with the intel it receives. The subscriber calls it once per message (duplicates are dropped by
/// the inbox) and only after the submitter's signature over the exact body has verified. Throwing makes the
/// subscriber retry, then move the message to the <c>_error</c> queue.
/// </summary>
public interface IIntelHandler
{
    /// <summary>A report was shared with this agency.</summary>
    Task OnReportShared(ReportShared message, CancellationToken cancellationToken);

    /// <summary>One of this agency's cases changed status.</summary>
    Task OnCaseStatusChanged(CaseStatusChanged message, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A block was lifted (by the agency, or because it expired): stop enforcing it.</summary>
    Task OnCaseLifted(CaseLifted message, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The exchange signed a checkpoint of its audit ledger. Check it with <see cref="Audit.Checkpoints.Verify"/> against
    /// the exchange's JWKS and keep it: it is the agency's witness copy, to hold later ledgers and evidence bundles to.
    /// </summary>
    Task OnAuditCheckpointIssued(AuditCheckpointIssued message, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Where and as whom the agency's subscriber connects.</summary>
public sealed record AgencySubscriberOptions
{
    /// <summary>The agency's tenant id, e.g. <c>indecopi</c>.</summary>
    public required string AgencyId { get; init; }

    /// <summary>The broker, e.g. <c>rabbitmq://broker.example:5672/intelx</c>.</summary>
    public required Uri BrokerUri { get; init; }

    /// <summary>The agency's broker user (it may read only its own queue).</summary>
    public required string Username { get; init; }

    /// <summary>The agency's broker password.</summary>
    public required string Password { get; init; }

    /// <summary>The SQLite file of the inbox that makes handling idempotent on MessageId.</summary>
    public string InboxPath { get; init; } = "intelx-inbox.db";

    /// <summary>In-process retry intervals before a message goes to the <c>_error</c> queue.</summary>
    public IReadOnlyList<TimeSpan> RetryIntervals { get; init; } =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    /// <summary>RabbitMQ queue type of the agency queue; must match how the exchange declared it.</summary>
    public string QueueType { get; init; } = "quorum";
}

/// <summary>The submitter's signature over the shared body did not verify: never retried, straight to <c>_error</c>.</summary>
public sealed class SignatureVerificationException(string message) : Exception(message);
