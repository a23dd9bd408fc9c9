using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace IntelExchange.Api.Infrastructure.Http;

/// <summary>Reads a small JSON request body strictly (<see cref="ExchangeJson.Strict"/>), keeping its exact bytes.</summary>
internal static class JsonBody
{
    public const int DefaultMaxBytes = 64 * 1024;

    public static async Task<(T Value, byte[] Bytes)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken, int maxBytes = DefaultMaxBytes)
        where T : class
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.Charset.Length > 0 && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ProblemException(Problems.UnsupportedMediaType);
        }
        if (request.ContentLength > maxBytes)
        {
            throw new ProblemException(Problems.PayloadTooLarge, $"The body may be at most {maxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ProblemException(Problems.PayloadTooLarge, $"The body may be at most {maxBytes} bytes.");
            }
            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.ToArray();
        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes, ExchangeJson.Strict)
                        ?? throw new ProblemException(Problems.MalformedJson, "The body is null.");
            return (value, bytes);
        }
        catch (JsonException exception)
        {
            throw new ProblemException(Problems.MalformedJson, ExchangeJson.Describe(exception));
        }
    }
}
