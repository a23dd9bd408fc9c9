using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Http;

namespace IntelExchange.Api.Infrastructure.Observability;

/// <summary>
/// Counts each report submission once, as accepted (202, or its idempotent replay) or refused by problem type. Only
/// counters: no allocation beyond the tag, no I/O. Requests the caller abandoned are not counted.
/// </summary>
internal sealed class ReportIntakeMetrics(ExchangeMetrics metrics) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        object? result;
        try
        {
            result = await next(context);
        }
        catch (Exception exception)
        {
            if (!context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                metrics.ReportRefused(ProblemExceptionHandler.KindOf(exception).Slug);
            }
            throw;
        }

        if (result is StoredJsonResult { Response: var response })
        {
            if (response.StatusCode == StatusCodes.Status202Accepted)
            {
                metrics.ReportAccepted(response.Replayed);
            }
            else
            {
                metrics.ReportRefused($"status-{response.StatusCode}");
            }
        }
        return result;
    }
}
