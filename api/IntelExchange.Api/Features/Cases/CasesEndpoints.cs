using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.OpenApi;
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
            .WithIdempotencyKey(StatusCodes.Status200OK)
            .ProducesProblems(
                Problems.ValidationFailed, Problems.MalformedJson, Problems.UnsupportedMediaType, Problems.PayloadTooLarge,
                Problems.CaseMoveForbidden, Problems.NotFound, Problems.InvalidTransition, Problems.CaseChanged,
                Problems.SafeguardOverrideRequired);

        cases.MapGet("/{caseId:guid}", GetCase.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("GetCase")
            .WithSummary("Read a case and its history (its agency and the report's submitter)")
            .Produces<CaseDetails>()
            .ProducesProblems(Problems.NotFound);
        return app;
    }
}
