using System.Diagnostics;
using IntelExchange.Api.Infrastructure.Http;
using Mediator;

namespace IntelExchange.Api.Infrastructure.Observability;

/// <summary>
/// One span per use case (the handler, with its validation), named after the message type; a refusal records its
/// problem type. Outbox rows written inside it carry its trace context.
/// </summary>
internal sealed class UseCaseTracing<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    private static readonly string SpanName = typeof(TMessage).Name;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        using var activity = ExchangeTelemetry.Source.StartActivity(SpanName);
        try
        {
            return await next(message, cancellationToken);
        }
        catch (Exception exception) when (activity is not null)
        {
            var kind = ProblemExceptionHandler.KindOf(exception);
            activity.SetTag("intelx.problem_type", kind.Slug);
            if (kind.Status >= 500)
            {
                activity.SetStatus(ActivityStatusCode.Error, kind.Slug);
            }
            throw;
        }
    }
}
