using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Cases;

/// <summary>What the tests do with cases, over real HTTPS: open one by submitting a report, move it, walk it to a status.</summary>
internal static class CaseSteps
{
    public static async Task<ReportAccepted> SubmitAsync(Partner submitter, string shareWith = "[\"indecopi\"]")
    {
        var response = await submitter.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: shareWith)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReportAccepted>())!;
    }

    public static async Task<Guid> OpenCaseAsync(Partner submitter) => (await SubmitAsync(submitter)).Cases.Single().CaseId;

    /// <summary>A status body with only the given members (null ones are left out).</summary>
    public static string Body(string status, string? reason = null, string? orderReference = null, DateTimeOffset? effectiveUntil = null, string? note = null)
    {
        var body = new Dictionary<string, object> { ["status"] = status };
        if (reason is not null)
        {
            body["reason"] = reason;
        }
        if (orderReference is not null)
        {
            body["orderReference"] = orderReference;
        }
        if (effectiveUntil is not null)
        {
            body["effectiveUntil"] = effectiveUntil.Value;
        }
        if (note is not null)
        {
            body["note"] = note;
        }
        return JsonSerializer.Serialize(body);
    }

    public static string OrderBody(DateTimeOffset? effectiveUntil = null) =>
        Body("order_issued", "Blocking ordered", "Resolución 149-2021/CDA-INDECOPI", effectiveUntil ?? DateTimeOffset.UtcNow.AddDays(30));

    public static Task<HttpResponseMessage> PostStatusAsync(HttpClient client, Guid caseId, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/cases/{caseId}/status")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", $"\"{idempotencyKey ?? Guid.NewGuid().ToString()}\"");
        return client.SendAsync(request);
    }

    public static async Task<CaseDetails> MoveAsync(HttpClient client, Guid caseId, string json)
    {
        var response = await PostStatusAsync(client, caseId, json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"move {json} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CaseDetails>())!;
    }

    /// <summary>The moves that take a fresh case from received to <paramref name="status"/>.</summary>
    public static string[] PathTo(string status) => status switch
    {
        "received" => [],
        "under_review" => ["under_review"],
        "more_info_requested" => ["under_review", "more_info_requested"],
        "order_issued" => ["under_review", "order_issued"],
        "enforced" => ["under_review", "order_issued", "enforced"],
        "lifted" => ["under_review", "order_issued", "lifted"],
        "rejected" => ["rejected"],
        "withdrawn" => ["withdrawn"],
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>Withdrawing is the submitter's move; every other move is the agency's.</summary>
    public static HttpClient MoverOf(string status, Partner submitter, Partner agency) => status == "withdrawn" ? submitter.Http : agency.Http;

    public static string BodyFor(string status) => status == "order_issued" ? OrderBody() : Body(status, reason: $"to {status}");

    public static async Task WalkToAsync(Partner submitter, Partner agency, Guid caseId, string status)
    {
        foreach (var step in PathTo(status))
        {
            await MoveAsync(MoverOf(step, submitter, agency), caseId, BodyFor(step));
        }
    }

    public static async Task<string> ProblemTypeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("type").GetString()!;
    }

    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            }
            await Task.Delay(200);
        }
    }
}
