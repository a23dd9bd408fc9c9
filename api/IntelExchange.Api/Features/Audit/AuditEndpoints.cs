using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Audit;

internal static class AuditEndpoints
{
    /// <summary>The hash-chained audit ledger, its Merkle tree, the checkpoint job, and evidence bundles.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton(provider => AuditOptions.From(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton<AuditLedger>();
        services.AddSingleton<AuditSequencer>();
        services.AddSingleton<AuditTree>();
        services.AddSingleton<AuditCheckpoints>();
        services.AddSingleton<CheckpointTimestamps>();
        services.AddHttpClient(CheckpointTimestamps.HttpClientName, client => client.DefaultRequestHeaders.Accept.ParseAdd("application/timestamp-reply"))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddHostedService<AuditSequencerJob>();
        services.AddHostedService<AuditCheckpointJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/v1/audit").WithTags("Audit").AddEndpointFilter(CatchUpFirst);

        audit.MapGet("/checkpoints/latest", GetLatestCheckpoint.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("GetLatestAuditCheckpoint")
            .WithSummary("The latest signed checkpoint of the audit ledger (any partner: it holds only hashes)")
            .Produces<AuditCheckpoint>()
            .ProducesProblems(Problems.NotFound);

        audit.MapGet("/entries", ListAuditEntries.Handle)
            .RequireAuthorization(Policies.Operator)
            .WithName("ListAuditEntries")
            .WithSummary("Export the audit ledger in index order, cursor-paged (operators: entries name tenants)")
            .Produces<Page<AuditLedgerEntry>>()
            .ProducesProblems(Problems.InvalidCursor, Problems.InvalidQuery);

        audit.MapGet("/proofs/inclusion", GetInclusionProof.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("GetAuditInclusionProof")
            .WithSummary("RFC 9162 inclusion proof of an entry (operators, or a tenant the entry concerns)")
            .Produces<AuditInclusionProof>()
            .ProducesProblems(Problems.InvalidQuery, Problems.NotFound);

        audit.MapGet("/proofs/consistency", GetConsistencyProof.Handle)
            .RequireAuthorization(Policies.Partner)
            .WithName("GetAuditConsistencyProof")
            .WithSummary("RFC 9162 consistency proof between two tree sizes (any partner: witnesses check their checkpoints)")
            .Produces<AuditConsistencyProof>()
            .ProducesProblems(Problems.InvalidQuery);

        app.MapGet("/v1/reports/{reportId:guid}/evidence-bundle", GetEvidenceBundle.Handle)
            .AddEndpointFilter(CatchUpFirst)
            .RequireAuthorization(Policies.Partner)
            .WithTags("Reports")
            .WithName("GetEvidenceBundle")
            .WithSummary("A zip to verify the report offline: exact body, signature, keys, receipt, inclusion proof, checkpoint (submitter or case agency)")
            .Produces(StatusCodes.Status200OK, typeof(Stream), "application/zip")
            .ProducesProblems(Problems.NotFound, Problems.EvidenceUnavailable);
        return app;
    }

    /// <summary>Every read of the ledger first chains what is pending, so it sees every change committed before it.</summary>
    private static async ValueTask<object?> CatchUpFirst(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        await http.RequestServices.GetRequiredService<AuditSequencer>().CatchUpAsync(http.RequestAborted);
        return await next(context);
    }
}
