using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Safeguards;

internal static class SafeguardsEndpoints
{
    /// <summary>The protected-infrastructure lists (shipped files plus operator additions) and the intake screening.</summary>
    public static IServiceCollection AddSafeguards(this IServiceCollection services)
    {
        services.AddSingleton<ProtectedLists>();
        services.AddHostedService(provider => provider.GetRequiredService<ProtectedLists>());
        services.AddSingleton<TargetScreening>();
        return services;
    }

    public static IEndpointRouteBuilder MapSafeguards(this IEndpointRouteBuilder app)
    {
        var lists = app.MapGroup("/v1/operator/protected-infrastructure").WithTags("Safeguards").RequireAuthorization(Policies.Operator);

        lists.MapGet("/", ListProtectedEntries.Handle)
            .WithName("ListProtectedInfrastructure")
            .WithSummary("The shipped protected lists (summarised) and the operator's additions")
            .Produces<ProtectedInfrastructureList>();

        lists.MapPost("/", AddProtectedEntryEndpoint.Handle)
            .WithName("AddProtectedInfrastructure")
            .WithSummary("Protect a domain suffix or a CIDR range; takes effect on every instance within a second")
            .Accepts<AddProtectedEntryRequest>("application/json")
            .Produces<ProtectedEntry>(StatusCodes.Status201Created)
            .ProducesProblems(Problems.ValidationFailed, Problems.MalformedJson, Problems.UnsupportedMediaType, Problems.PayloadTooLarge,
                Problems.ProtectedEntryExists, Problems.ProtectedEntriesFull);

        lists.MapDelete("/{entryId:guid}", RemoveProtectedEntry.Handle)
            .WithName("RemoveProtectedInfrastructure")
            .WithSummary("Remove an operator addition")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(Problems.NotFound);
        return app;
    }
}
