using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Http;

namespace IntelExchange.Api.Infrastructure.Observability;

/// <summary>
/// Counts report submissions by outcome with counters only (no I/O on the intake path). Accepted ones are seen by an
/// endpoint filter on <c>POST /v1/reports</c>; refused ones where every refusal ends: the RFC 9457 problem written
/// for that request, whichever layer refused it (routing's 415, authentication, the handler, the exception handler).
/// </summary>
internal sealed class ReportIntakeMetrics(ExchangeMetrics metrics) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (result is StoredJsonResult { Response: { StatusCode: StatusCodes.Status202Accepted } response })
        {
            metrics.ReportAccepted(response.Replayed);
        }
        return result;
    }

    /// <summary>Runs after the exchange's own problem customisation, so the type is final.</summary>
    public static void CountRefusal(ProblemDetailsContext context, ExchangeMetrics metrics)
    {
        var request = context.HttpContext.Request;
        if (!HttpMethods.IsPost(request.Method) || !string.Equals(request.Path.Value?.TrimEnd('/'), "/v1/reports", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var type = context.ProblemDetails.Type;
        metrics.ReportRefused(type is not null && type.StartsWith(ProblemKind.BaseUri, StringComparison.Ordinal)
            ? type[ProblemKind.BaseUri.Length..]
            : $"status-{context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode}");
    }
}
