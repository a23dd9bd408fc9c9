using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Reports;

internal static class ReportsEndpoints
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/v1/reports").WithTags("Reports");

        reports.MapPost("/", SubmitReportEndpoint.Handle)
            .RequireAuthorization(Policies.Reporter)
            .WithName("SubmitReport")
            .WithSummary("Submit a signed infringement report")
            .Accepts<InfringementReport>("application/json")
            .Produces<ReportAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        reports.MapGet("/{reportId:guid}", GetReport.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("GetReport")
            .WithSummary("Read a report (its submitter, or an agency with a case on it)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        reports.MapGet("/", ListReports.Handle)
            .RequireAuthorization(Policies.Reporter)
            .WithName("ListReports")
            .WithSummary("List the caller's own reports, cursor-paged")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }
}
