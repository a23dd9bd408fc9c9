using System.Net;
using System.Text.Json;

namespace IntelExchange.Client.Http;

/// <summary>The exchange refused a request: its RFC 9457 problem, or what stood in for one.</summary>
public sealed class IntelExchangeProblemException : Exception
{
    /// <summary>Creates the exception from a problem's members.</summary>
    public IntelExchangeProblemException(HttpStatusCode status, string type, string title, string? detail,
        IReadOnlyDictionary<string, string[]>? errors = null, IReadOnlyDictionary<string, JsonElement>? extensions = null)
        : base(detail is null ? $"{(int)status} {title}" : $"{(int)status} {title} {detail}")
    {
        Status = status;
        Type = type;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
        Extensions = extensions ?? new Dictionary<string, JsonElement>();
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem type URI, stable per cause (e.g. <c>…/problems/validation-failed</c>); <c>about:blank</c> when the answer was not a problem.</summary>
    public string Type { get; }

    /// <summary>A short summary of the cause.</summary>
    public string Title { get; }

    /// <summary>What exactly was wrong with this request.</summary>
    public string? Detail { get; }

    /// <summary>Field errors by JSON path (e.g. <c>targets[0].value</c>), when the request did not validate.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>Any other members of the problem (e.g. <c>recipients</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; }

    /// <summary>The last segment of <see cref="Type"/>, e.g. <c>validation-failed</c>.</summary>
    public string Slug => Type[(Type.LastIndexOf('/') + 1)..];

    internal static async Task<IntelExchangeProblemException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var fallbackTitle = response.ReasonPhrase ?? status.ToString();
        if (response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json"))
        {
            return new IntelExchangeProblemException(status, "about:blank", fallbackTitle, null);
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
            var root = document.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

            Dictionary<string, string[]>? errors = null;
            var extensions = new Dictionary<string, JsonElement>();
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == "errors" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    errors = property.Value.EnumerateObject().ToDictionary(
                        field => field.Name,
                        field => field.Value.ValueKind == JsonValueKind.Array
                            ? field.Value.EnumerateArray().Select(message => message.ToString()).ToArray()
                            : [field.Value.ToString()]);
                }
                else if (property.Name is not ("type" or "title" or "status" or "detail" or "instance"))
                {
                    extensions[property.Name] = property.Value.Clone();
                }
            }
            return new IntelExchangeProblemException(status, Text("type") ?? "about:blank", Text("title") ?? fallbackTitle, Text("detail"), errors, extensions);
        }
        catch (JsonException)
        {
            return new IntelExchangeProblemException(status, "about:blank", fallbackTitle, null);
        }
    }
}
