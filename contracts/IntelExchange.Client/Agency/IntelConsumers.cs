using IntelExchange.Client.Signing;
using IntelExchange.Contracts.V1;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IntelExchange.Client.Agency;

/// <summary>Runs one message through the inbox: duplicates are dropped, failures are forgotten so a retry handles them again.</summary>
internal static class InboxGuard
{
    public static async Task HandleOnceAsync<T>(ConsumeContext<T> context, SqliteInbox inbox, ILogger logger, Func<Task> handle)
        where T : class
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("IntelExchange messages always carry a MessageId.");
        var consumer = typeof(T).Name;
        if (!await inbox.TryBeginAsync(messageId, consumer, context.CancellationToken))
        {
            logger.LogInformation("Dropped duplicate {MessageType} {MessageId}", consumer, messageId);
            return;
        }
        try
        {
            await handle();
            await inbox.CompleteAsync(messageId, consumer, context.CancellationToken);
        }
        catch
        {
            await inbox.AbandonAsync(messageId, consumer, CancellationToken.None);
            throw;
        }
    }
}

internal sealed class ReportSharedConsumer(SqliteInbox inbox, IIntelHandler handler, AgencySubscriberOptions options, ILogger<ReportSharedConsumer> logger)
    : IConsumer<ReportShared>
{
    public Task Consume(ConsumeContext<ReportShared> context) => InboxGuard.HandleOnceAsync(context, inbox, logger, () =>
    {
        var message = context.Message;
        if (message.Agency != options.AgencyId)
        {
            throw new InvalidOperationException($"Report {message.ReportId} was addressed to {message.Agency}, not {options.AgencyId}.");
        }
        // Verify the submitter's signature over the exact bytes ourselves: the exchange is trusted to route, not to vouch.
        if (!DetachedJws.Verify(message.SignedBody, message.Signature, message.SignerPublicKeyPem))
        {
            throw new SignatureVerificationException($"The signature of report {message.ReportId} from {message.Submitter} does not verify.");
        }
        return handler.OnReportShared(message, context.CancellationToken);
    });
}

internal sealed class CaseStatusChangedConsumer(SqliteInbox inbox, IIntelHandler handler, ILogger<CaseStatusChangedConsumer> logger)
    : IConsumer<CaseStatusChanged>
{
    public Task Consume(ConsumeContext<CaseStatusChanged> context) =>
        InboxGuard.HandleOnceAsync(context, inbox, logger, () => handler.OnCaseStatusChanged(context.Message, context.CancellationToken));
}

internal sealed class CaseLiftedConsumer(SqliteInbox inbox, IIntelHandler handler, ILogger<CaseLiftedConsumer> logger)
    : IConsumer<CaseLifted>
{
    public Task Consume(ConsumeContext<CaseLifted> context) =>
        InboxGuard.HandleOnceAsync(context, inbox, logger, () => handler.OnCaseLifted(context.Message, context.CancellationToken));
}

internal sealed class AuditCheckpointIssuedConsumer(SqliteInbox inbox, IIntelHandler handler, ILogger<AuditCheckpointIssuedConsumer> logger)
    : IConsumer<AuditCheckpointIssued>
{
    public Task Consume(ConsumeContext<AuditCheckpointIssued> context) =>
        InboxGuard.HandleOnceAsync(context, inbox, logger, () => handler.OnAuditCheckpointIssued(context.Message, context.CancellationToken));
}
