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
    public static readonly ProblemKind MethodNotAllowed = new("method-not-allowed", 405, "This resource does not support the request's method.");
    public static readonly ProblemKind Forbidden = new("forbidden", 403, "The caller's roles do not allow this operation.");
    public static readonly ProblemKind Unauthenticated = new("unauthenticated", 401, "A registered client certificate is required.");
    public static readonly ProblemKind InvalidCursor = new("invalid-cursor", 400, "The cursor was not issued by the exchange or has been altered.");
    public static readonly ProblemKind InvalidQuery = new("invalid-query", 400, "A query parameter is not valid.");
    public static readonly ProblemKind InvalidTransition = new("invalid-transition", 409, "The case cannot move to that status from where it stands.");
    public static readonly ProblemKind ServiceUnavailable = new("service-unavailable", 503, "The exchange cannot store the request right now; retry later.");
    public static readonly ProblemKind InternalError = new("internal-error", 500, "The exchange failed to process the request.");
    public static readonly ProblemKind CaseMoveForbidden = new("case-move-forbidden", 403, "Only the case's agency may make this move, and only the report's submitter may withdraw.");
    public static readonly ProblemKind CaseChanged = new("case-changed", 409, "The case changed while this move was being made; read it again before retrying.");
    public static readonly ProblemKind SafeguardOverrideRequired = new("safeguard-override-required", 409, "The case has targets flagged as protected infrastructure; an order needs safeguardOverride.reason.");
    public static readonly ProblemKind ProtectedEntryExists = new("protected-entry-exists", 409, "That domain or range is already an operator addition to the protected lists.");
    public static readonly ProblemKind ProtectedEntriesFull = new("protected-entries-full", 409, "The protected lists hold as many operator additions as the exchange allows.");
    public static readonly ProblemKind EvidenceUnavailable = new("evidence-unavailable", 409, "No evidence bundle can be made for this report: it predates the audit ledger, or its client certificate was not kept.");
    public static readonly ProblemKind CallbackUrlRefused = new("callback-url-refused", 422, "The callback URL is not allowed: it must be https and reach a public address.");
    public static readonly ProblemKind RateLimited = new("rate-limited", 429, "This tenant is sending requests faster than its rate limit; retry after Retry-After seconds.");
    public static readonly ProblemKind QuotaExceeded = new("quota-exceeded", 429, "This report would take the reporter past its daily target quota; retry after Retry-After seconds (the next UTC day).");
    public static readonly ProblemKind TenantExists = new("tenant-exists", 409, "A tenant with this id already exists.");
    public static readonly ProblemKind CertificateRefused = new("certificate-refused", 422, "The certificate is not one PEM X.509 certificate, without a private key, that chains to a partner CA, allows client authentication and has not expired.");
    public static readonly ProblemKind CertificateTaken = new("certificate-taken", 409, "This certificate is registered to another tenant, or was revoked; a revoked certificate is never registered again.");
    public static readonly ProblemKind SigningKeyRefused = new("signing-key-refused", 422, "The key is not one PEM EC P-256 public key (SubjectPublicKeyInfo) without a private key.");
    public static readonly ProblemKind SigningKeyTaken = new("signing-key-taken", 409, "This signing key is registered to another tenant, or was retired; a retired key is never registered again.");
    public static readonly ProblemKind AgreementRefused = new("agreement-refused", 422, "The reporter must be a tenant with the reporter role, the agency another tenant with the agency role.");
    public static readonly ProblemKind OperatorLockout = new("operator-lockout", 409, "An operator cannot suspend its own tenant or revoke the certificate it is calling with.");
}

/// <summary>Thrown by handlers to refuse a request with a documented problem.</summary>
public sealed class ProblemException(ProblemKind kind, string? detail = null, IDictionary<string, object?>? extensions = null, TimeSpan? retryAfter = null)
    : Exception(detail ?? kind.Title)
{
    public ProblemKind Kind { get; } = kind;
    public string? Detail { get; } = detail;
    public IDictionary<string, object?>? Extensions { get; } = extensions;

    /// <summary>Sent as <c>Retry-After</c> (whole seconds, at least 1) when the refusal passes with time.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
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
        var kind = KindOf(exception);
        var (detail, extensions) = exception switch
        {
            ProblemException problem => (problem.Detail, problem.Extensions),
            BadHttpRequestException { StatusCode: 413 } => (null, null),
            BadHttpRequestException => ("The request could not be read.", null),
            _ => (null, (IDictionary<string, object?>?)null),
        };

        if (kind == Problems.InternalError)
        {
            logger.LogError(exception, "Unhandled failure on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        if (exception is ProblemException { RetryAfter: { } retryAfter })
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
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

    /// <summary>The problem an exception is answered with (also what the intake metrics count it as).</summary>
    public static ProblemKind KindOf(Exception exception) => exception switch
    {
        ProblemException problem => problem.Kind,
        BadHttpRequestException { StatusCode: 413 } => Problems.PayloadTooLarge,
        BadHttpRequestException => Problems.MalformedJson,
        _ when IsDatabaseUnavailable(exception) => Problems.ServiceUnavailable,
        _ => Problems.InternalError,
    };

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
