using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Stats;

internal static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/stats", GetStats.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithTags("Stats")
            .WithName("GetStats")
            .WithSummary("Counts for the annual review over the cases opened in [from, to), grouped by category, status, agency or month")
            .Produces<ExchangeStats>()
            .ProducesProblems(Problems.InvalidQuery);
        return app;
    }
}
