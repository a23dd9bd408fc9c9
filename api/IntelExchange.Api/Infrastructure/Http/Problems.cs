using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace IntelExchange.Api.Infrastructure.Http;

/// <summary>One cause of refusal: a stable problem <c>type</c> URI, its status and title. Documented in openapi.yaml.</summary>
public sealed record ProblemKind(string Slug, int Status, string Title)
{
    public const string BaseUri = "https://intelexchange.example/problems/";

    public string Type => BaseUri + Slug;
}

/// <summary>Every refusal the exchange gives, one per cause.</summary>
public static class Problems
{
    public static readonly ProblemKind ValidationFailed = new("validation-failed", 400, "The report or request is not valid.");
    public static readonly ProblemKind MalformedJson = new("malformed-json", 400, "The body is not valid JSON for this operation.");
    public static readonly ProblemKind UnsupportedMediaType = new("unsupported-media-type", 415, "The body must be application/json.");
    public static readonly ProblemKind PayloadTooLarge = new("payload-too-large", 413, "The body is larger than the exchange accepts.");
    public static readonly ProblemKind SignatureMissing = new("signature-missing", 400, "The X-JWS-Signature header is missing.");
    public static readonly ProblemKind SignatureMalformed = new("signature-malformed", 400, "The X-JWS-Signature header is not a detached compact JWS.");
    public static readonly ProblemKind SignatureAlgorithmRefused = new("signature-algorithm-refused", 400, "The JWS algorithm is not allowed.");
    public static readonly ProblemKind SignatureKeyUnknown = new("signature-key-unknown", 400, "The JWS kid is not an active signing key of the calling tenant.");
    public static readonly ProblemKind SignatureIssuerMismatch = new("signature-issuer-mismatch", 400, "The JWS iss does not name the calling tenant.");
    public static readonly ProblemKind SignatureStale = new("signature-stale", 400, "The JWS iat is outside the allowed clock skew.");
    public static readonly ProblemKind SignatureCriticalUnknown = new("signature-crit-unsupported", 400, "The JWS crit names a parameter the exchange does not understand.");
    public static readonly ProblemKind SignatureInvalid = new("signature-invalid", 400, "The JWS signature does not verify over the exact body bytes.");
    public static readonly ProblemKind SignatureReplayed = new("signature-replayed", 409, "The JWS jti was already used by this tenant.");
    public static readonly ProblemKind IdempotencyKeyMissing = new("idempotency-key-missing", 400, "The Idempotency-Key header is required.");
    public static readonly ProblemKind IdempotencyKeyInvalid = new("idempotency-key-invalid", 400, "The Idempotency-Key header is not valid.");
    public static readonly ProblemKind IdempotencyKeyReused = new("idempotency-key-reused", 422, "The Idempotency-Key was already used with another request.");
    public static readonly ProblemKind IdempotencyKeyInFlight = new("idempotency-key-in-flight", 409, "A request with this Idempotency-Key is still being processed.");
    public static readonly ProblemKind RecipientNotAllowed = new("recipient-not-allowed", 422, "A recipient is not an agency with a sharing agreement.");
    public static readonly ProblemKind NoRecipient = new("no-recipient", 422, "The report names no recipient and the submitter has no default recipient.");
    public static readonly ProblemKind NotFound = new("not-found", 404, "No such resource.");
    public static readonly ProblemKind Forbidden = new("forbidden", 403, "The caller's roles do not allow this operation.");
    public static readonly ProblemKind Unauthenticated = new("unauthenticated", 401, "A registered client certificate is required.");
    public static readonly ProblemKind InvalidCursor = new("invalid-cursor", 400, "The cursor was not issued by the exchange or has been altered.");
    public static readonly ProblemKind InvalidQuery = new("invalid-query", 400, "A query parameter is not valid.");
    public static readonly ProblemKind InvalidTransition = new("invalid-transition", 409, "The case cannot move to that status from where it stands.");
    public static readonly ProblemKind ServiceUnavailable = new("service-unavailable", 503, "The exchange cannot store the request right now; retry later.");
    public static readonly ProblemKind InternalError = new("internal-error", 500, "The exchange failed to process the request.");
    public static readonly ProblemKind CaseMoveForbidden = new("case-move-forbidden", 403, "Only the case's agency may make this move, and only the report's submitter may withdraw.");
    public static readonly ProblemKind CaseChanged = new("case-changed", 409, "The case changed while this move was being made; read it again before retrying.");
    public static readonly ProblemKind EvidenceUnavailable = new("evidence-unavailable", 409, "No evidence bundle can be made for this report: it predates the audit ledger, or its client certificate was not kept.");
    public static readonly ProblemKind CallbackUrlRefused = new("callback-url-refused", 422, "The callback URL is not allowed: it must be https and reach a public address.");
}

/// <summary>Thrown by handlers to refuse a request with a documented problem.</summary>
public sealed class ProblemException(ProblemKind kind, string? detail = null, IDictionary<string, object?>? extensions = null)
    : Exception(detail ?? kind.Title)
{
    public ProblemKind Kind { get; } = kind;
    public string? Detail { get; } = detail;
    public IDictionary<string, object?>? Extensions { get; } = extensions;
}

internal static class ProblemResults
{
    public static ProblemDetails Create(ProblemKind kind, string? detail = null, IDictionary<string, object?>? extensions = null, HttpContext? context = null)
    {
        var problem = new ProblemDetails { Type = kind.Type, Title = kind.Title, Status = kind.Status, Detail = detail };
        if (context is not null)
        {
            problem.Instance = context.Request.Path;
        }
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }
        return problem;
    }

    public static IResult ToResult(this ProblemKind kind, string? detail = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(Create(kind, detail, extensions));
}

/// <summary>Maps <see cref="ProblemException"/> to its problem, and anything unexpected to a 500 with no internals.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (kind, detail, extensions) = exception switch
        {
            ProblemException problem => (problem.Kind, problem.Detail, problem.Extensions),
            BadHttpRequestException { StatusCode: 413 } => (Problems.PayloadTooLarge, null, null),
            BadHttpRequestException => (Problems.MalformedJson, "The request could not be read.", null),
            _ when IsDatabaseUnavailable(exception) => (Problems.ServiceUnavailable, null, null),
            _ => (Problems.InternalError, null, (IDictionary<string, object?>?)null),
        };

        if (kind == Problems.InternalError)
        {
            logger.LogError(exception, "Unhandled failure on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        if (kind == Problems.ServiceUnavailable)
        {
            logger.LogWarning("Database unavailable on {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, exception.GetType().Name);
            context.Response.Headers.RetryAfter = "5";
        }

        context.Response.StatusCode = kind.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemResults.Create(kind, detail, extensions, context),
            Exception = exception,
        });
    }

    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }
}
