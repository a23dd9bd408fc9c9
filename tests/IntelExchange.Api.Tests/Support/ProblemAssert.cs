using System.Net;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Http;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Assertions on RFC 9457 refusals: status, media type, the stable problem type, and that nothing was stored.</summary>
public static class ProblemAssert
{
    public const string MediaType = "application/problem+json";

    /// <summary>Asserts the response is the given problem and returns its parsed body.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, ProblemKind kind)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((HttpStatusCode)kind.Status == response.StatusCode, $"expected {kind.Status} {kind.Slug}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(MediaType, response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(kind.Type, problem.GetProperty("type").GetString());
        Assert.Equal(kind.Status, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return problem;
    }

    /// <summary>Sends, asserts the refusal is the given problem, and that no report, case, outbox or idempotency row appeared.</summary>
    public static async Task<JsonElement> RefusedWithoutStoringAsync(ExchangeServer server, ProblemKind kind, Func<Task<HttpResponseMessage>> send)
    {
        var before = StoredRows.Count(server);
        using var response = await send();
        var problem = await IsProblemAsync(response, kind);
        Assert.Equal(before, StoredRows.Count(server));
        return problem;
    }

    /// <summary>The JSON paths named in a validation problem's <c>errors</c> member.</summary>
    public static IReadOnlyList<string> ErrorPaths(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
}
