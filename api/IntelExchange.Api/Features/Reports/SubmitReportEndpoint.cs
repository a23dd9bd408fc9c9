using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace IntelExchange.Api.Features.Reports;

/// <summary>The HTTP edge of report intake: exact bytes in, strict parse, then the <see cref="SubmitReport"/> use case.</summary>
internal static class SubmitReportEndpoint
{
    public const string SignatureHeader = "X-JWS-Signature";

    public static async Task<IResult> Handle(HttpContext context, IMediator mediator, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!IsJson(request.ContentType))
        {
            throw new ProblemException(Problems.UnsupportedMediaType);
        }

        var idempotencyKey = IdempotencyGuard.ParseKey(request.Headers[IdempotencyGuard.HeaderName].ToString());
        var maxBytes = configuration.GetValue("Reports:MaxBodyBytes", 1024 * 1024);
        var body = await ReadExactBodyAsync(context, maxBytes, cancellationToken);

        InfringementReport report;
        try
        {
            report = JsonSerializer.Deserialize<InfringementReport>(body, ExchangeJson.Strict)
                     ?? throw new ProblemException(Problems.MalformedJson, "The body is null.");
        }
        catch (JsonException exception)
        {
            throw new ProblemException(Problems.MalformedJson, ExchangeJson.Describe(exception));
        }

        var signature = request.Headers[SignatureHeader].ToString();
        var outcome = await mediator.Send(
            new SubmitReport(Caller.From(context.User), body, report, signature, idempotencyKey), cancellationToken);
        return new StoredJsonResult(outcome);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (media.Charset.Length == 0 || HeaderUtilities.RemoveQuotes(media.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The body exactly as sent (the signature covers these bytes), refused past the limit before it is all read.</summary>
    private static async Task<byte[]> ReadExactBodyAsync(HttpContext context, int maxBytes, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            throw new ProblemException(Problems.PayloadTooLarge, $"The body may be at most {maxBytes} bytes.");
        }
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.Buffer.Length > maxBytes)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw new ProblemException(Problems.PayloadTooLarge, $"The body may be at most {maxBytes} bytes.");
            }
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}

/// <summary>Writes a stored (or fresh) JSON answer byte for byte, so a replay is identical to the original.</summary>
internal sealed class StoredJsonResult(IdempotentResponse response) : IResult
{
    public IdempotentResponse Response => response;

    public Task ExecuteAsync(HttpContext context)
    {
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (response.Location is not null)
        {
            context.Response.Headers.Location = response.Location;
        }
        if (response.Replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        context.Response.ContentLength = response.Body.Length;
        return context.Response.Body.WriteAsync(response.Body).AsTask();
    }
}
