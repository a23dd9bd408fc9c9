using System.Text;
using FluentValidation;
using Mediator;

namespace IntelExchange.Api.Infrastructure.Http;

/// <summary>Runs the message's validators before its handler, for HTTP and bus entry points alike.</summary>
internal sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken);
            if (!result.IsValid)
            {
                var errors = result.Errors
                    .GroupBy(e => ToJsonPath(e.PropertyName))
                    .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
                throw new ProblemException(Problems.ValidationFailed, $"{errors.Count} field(s) are not valid.",
                    new Dictionary<string, object?> { ["errors"] = errors });
            }
        }
        return await next(message, cancellationToken);
    }

    /// <summary><c>Report.Targets[0].Value</c> becomes <c>targets[0].value</c>, matching the JSON the caller sent.</summary>
    internal static string ToJsonPath(string propertyName)
    {
        var segments = propertyName.Split('.');
        var start = segments.Length > 1 && segments[0] is "Report" or "Body" ? 1 : 0;
        var path = new StringBuilder();
        for (var i = start; i < segments.Length; i++)
        {
            if (path.Length > 0)
            {
                path.Append('.');
            }
            var segment = segments[i];
            path.Append(segment.Length > 0 ? char.ToLowerInvariant(segment[0]) + segment[1..] : segment);
        }
        return path.Length == 0 ? "$" : path.ToString();
    }
}
