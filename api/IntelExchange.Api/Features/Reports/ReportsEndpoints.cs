using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.Observability;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Reports;

internal static class ReportsEndpoints
{
    /// <summary>Intake's own services: the daily target quota.</summary>
    public static IServiceCollection AddReports(this IServiceCollection services) => services.AddSingleton<TargetQuota>();

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/v1/reports").WithTags("Reports");

        reports.MapPost("/", SubmitReportEndpoint.Handle)
            .WithIntakeMetrics()
            .RequireAuthorization(Policies.Reporter)
            .WithName("SubmitReport")
            .WithSummary("Submit a signed infringement report")
            .Accepts<InfringementReport>("application/json")
            .Produces<ReportAccepted>(StatusCodes.Status202Accepted)
            .WithRequestHeader(SubmitReportEndpoint.SignatureHeader, required: true, DetachedJwsVerifier.MaxHeaderLength,
                "Detached compact JWS (RFC 7515 Appendix F), ES256, over BASE64URL(header) + \".\" + BASE64URL(exact body bytes). "
                + "Protected header: alg ES256, kid (a signing key registered to the caller), iat, iss (the caller's tenant id), "
                + "jti (unique per tenant), crit [\"iat\",\"iss\",\"jti\"].",
                "eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9..MEUCIQ")
            .WithIdempotencyKey(StatusCodes.Status202Accepted)
            .ProducesProblems(
                Problems.ValidationFailed, Problems.MalformedJson, Problems.UnsupportedMediaType, Problems.PayloadTooLarge,
                Problems.SignatureMissing, Problems.SignatureMalformed, Problems.SignatureAlgorithmRefused, Problems.SignatureKeyUnknown,
                Problems.SignatureIssuerMismatch, Problems.SignatureStale, Problems.SignatureCriticalUnknown, Problems.SignatureInvalid,
                Problems.SignatureReplayed, Problems.RecipientNotAllowed, Problems.NoRecipient, Problems.QuotaExceeded);

        reports.MapGet("/{reportId:guid}", GetReport.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("GetReport")
            .WithSummary("Read a report (its submitter, or an agency with a case on it)")
            .Produces<ReportDetails>()
            .ProducesProblems(Problems.NotFound);

        reports.MapGet("/", ListReports.Handle)
            .RequireAuthorization(Policies.Reporter)
            .WithName("ListReports")
            .WithSummary("List the caller's own reports, cursor-paged")
            .Produces<Page<ReportListItem>>()
            .ProducesProblems(Problems.InvalidCursor, Problems.InvalidQuery);
        return app;
    }
}
