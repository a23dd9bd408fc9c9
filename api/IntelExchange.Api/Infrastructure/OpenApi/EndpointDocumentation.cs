using IntelExchange.Api.Infrastructure.Http;

namespace IntelExchange.Api.Infrastructure.OpenApi;

/// <summary>The problem kinds an endpoint can answer with, beyond those every partner endpoint shares.</summary>
internal sealed record ProblemKindsMetadata(IReadOnlyList<ProblemKind> Kinds);

/// <summary>A request header the endpoint reads, documented as a parameter.</summary>
internal sealed record RequestHeaderMetadata(string Name, bool Required, int MaxLength, string Description, string? Example);

/// <summary>A response header the endpoint may set on its success response.</summary>
internal sealed record ResponseHeaderMetadata(int Status, string Name, string Description);

internal static class EndpointDocumentation
{
    /// <summary>
    /// Declares the problems this endpoint refuses with: one response per status, whose description and examples name
    /// each problem <c>type</c>. The problems every partner endpoint can give (401, 403, 429, 500, 503) are added for all.
    /// </summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params ProblemKind[] kinds)
    {
        foreach (var status in kinds.Select(k => k.Status).Distinct().Order())
        {
            builder.ProducesProblem(status);
        }
        return builder.WithMetadata(new ProblemKindsMetadata(kinds));
    }

    public static RouteHandlerBuilder WithRequestHeader(this RouteHandlerBuilder builder, string name, bool required, int maxLength, string description, string? example = null) =>
        builder.WithMetadata(new RequestHeaderMetadata(name, required, maxLength, description, example));

    public static RouteHandlerBuilder WithResponseHeader(this RouteHandlerBuilder builder, int status, string name, string description) =>
        builder.WithMetadata(new ResponseHeaderMetadata(status, name, description));

    /// <summary>The <c>Idempotency-Key</c> request header and the <c>Idempotent-Replayed</c> answer header.</summary>
    public static RouteHandlerBuilder WithIdempotencyKey(this RouteHandlerBuilder builder, int successStatus) => builder
        .WithRequestHeader(IdempotencyGuard.HeaderName, required: true, IdempotencyGuard.MaxKeyLength + 2,
            "A key of 1 to 255 visible ASCII characters (optionally in double quotes), new for each new request and the same "
            + "when retrying it. A retry with the same key and the same body gets the original answer with Idempotent-Replayed: true; "
            + "the same key with another body is refused (422).",
            "\"5f0c2a7e-2f4b-4a7e-9a53-0d1b7d3f4c21\"")
        .WithResponseHeader(successStatus, "Idempotent-Replayed", "true when this answer is a replay of the original one for this Idempotency-Key.")
        .ProducesProblems(Problems.IdempotencyKeyMissing, Problems.IdempotencyKeyInvalid, Problems.IdempotencyKeyReused, Problems.IdempotencyKeyInFlight);
}
