using System.Net.Http.Headers;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Report submissions with every header under the test's control, including absent or malformed ones.</summary>
public static class PartnerRequests
{
    /// <summary>POSTs the exact bytes; a null signature, idempotency key or content type leaves that header out.</summary>
    public static Task<HttpResponseMessage> PostRawAsync(
        this Partner partner, byte[] body, string? signature, string? idempotencyKeyHeader, string? contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-JWS-Signature", signature);
        }
        if (idempotencyKeyHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKeyHeader);
        }
        return partner.Http.SendAsync(request);
    }

    /// <summary>POSTs a signed body without a Content-Length (chunked), so the server only learns its size by reading it.</summary>
    public static Task<HttpResponseMessage> PostChunkedAsync(this Partner partner, byte[] body)
    {
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.TryAddWithoutValidation("X-JWS-Signature", partner.Sign(body));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
        return partner.Http.SendAsync(request);
    }
}
