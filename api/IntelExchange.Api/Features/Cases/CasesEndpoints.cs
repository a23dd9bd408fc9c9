using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Cases;

internal static class CasesEndpoints
{
    /// <summary>The case lifecycle: moves by the parties, and the job that lifts expired orders.</summary>
    public static IServiceCollection AddCases(this IServiceCollection services)
    {
        services.AddSingleton(provider => CaseOptions.From(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton<CaseChanges>();
        services.AddHostedService<CaseExpiryJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapCases(this IEndpointRouteBuilder app)
    {
        var cases = app.MapGroup("/v1/cases").WithTags("Cases");

        cases.MapPost("/{caseId:guid}/status", UpdateCaseStatusEndpoint.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("UpdateCaseStatus")
            .WithSummary("Move a case (its agency), or withdraw it (the report's submitter)")
            .Accepts<UpdateCaseStatusRequest>("application/json")
            .Produces<CaseDetails>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        cases.MapGet("/{caseId:guid}", GetCase.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("GetCase")
            .WithSummary("Read a case and its history (its agency and the report's submitter)")
            .Produces<CaseDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
