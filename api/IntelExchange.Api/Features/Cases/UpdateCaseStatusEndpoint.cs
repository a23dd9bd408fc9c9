using System.Security.Cryptography;
using System.Text;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;

namespace IntelExchange.Api.Features.Cases;

/// <summary>The HTTP edge of <see cref="UpdateCaseStatus"/>: idempotency key, strict body, and the request fingerprint.</summary>
internal static class UpdateCaseStatusEndpoint
{
    public static async Task<IResult> Handle(Guid caseId, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var idempotencyKey = IdempotencyGuard.ParseKey(context.Request.Headers[IdempotencyGuard.HeaderName].ToString());
        var (body, bytes) = await JsonBody.ReadAsync<UpdateCaseStatusRequest>(context.Request, cancellationToken);
        var outcome = await mediator.Send(
            new UpdateCaseStatus(Caller.From(context.User), caseId, body, RequestSha256(caseId, bytes), idempotencyKey), cancellationToken);
        return new StoredJsonResult(outcome);
    }

    /// <summary>The same key on another case is another request, so the fingerprint covers the route as well as the body.</summary>
    internal static string RequestSha256(Guid caseId, byte[] body) =>
        Convert.ToHexStringLower(SHA256.HashData([.. Encoding.ASCII.GetBytes($"POST /v1/cases/{caseId:D}/status\n"), .. body]));
}
