using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security;
using IntelExchange.Api.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>What the safeguard tests do over real HTTPS: submit chosen targets, read the answers as the wire JSON.</summary>
internal static class SafeguardSteps
{
    public static string Unique(string prefix = "site") => $"{prefix}-{Guid.NewGuid():N}"[..24] + ".example";

    public static string UniqueIPv4() => $"45.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 255)}";

    public static JsonObject Domain(string value) => new() { ["type"] = "domain", ["value"] = value };

    public static JsonObject Url(string value) => new() { ["type"] = "url", ["value"] = value };

    public static JsonObject Ip(string type, string value) => new() { ["type"] = type, ["value"] = value };

    /// <summary>The sample report with these targets, recipients and category (and any other change).</summary>
    public static byte[] Report(JsonObject[] targets, string[]? shareWith = null, string category = "stream_ripping", Action<JsonObject>? change = null)
    {
        var report = JsonNode.Parse(SampleReports.Json())!.AsObject();
        report["targets"] = new JsonArray(targets.Select(t => (JsonNode)t.DeepClone()).ToArray());
        report["shareWith"] = new JsonArray((shareWith ?? ["indecopi"]).Select(a => (JsonNode)JsonValue.Create(a)!).ToArray());
        report["category"] = category;
        change?.Invoke(report);
        return Encoding.UTF8.GetBytes(report.ToJsonString());
    }

    public static async Task<JsonElement> SubmitAsync(Partner submitter, byte[] body)
    {
        var response = await submitter.SubmitAsync(body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task<JsonElement> SubmitAsync(Partner submitter, params JsonObject[] targets) => SubmitAsync(submitter, Report(targets));

    public static Guid CaseOf(JsonElement accepted, string agency = "indecopi") =>
        accepted.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("agency").GetString() == agency).GetProperty("caseId").GetGuid();

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string[] Rules(JsonElement target) =>
        target.GetProperty("flags").EnumerateArray().Select(f => f.GetProperty("rule").GetString()!).ToArray();

    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostStatusAsync(HttpClient client, Guid caseId, object body)
    {
        var response = await Cases.CaseSteps.PostStatusAsync(client, caseId, JsonSerializer.Serialize(body));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static async Task<JsonElement> MoveAsync(HttpClient client, Guid caseId, object body)
    {
        var (status, answer) = await PostStatusAsync(client, caseId, body);
        Assert.True(status == HttpStatusCode.OK, $"move answered {(int)status}: {answer}");
        return answer;
    }

    public static object Order(object? safeguardOverride = null, int[]? orderedTargets = null, string? notOrderedReason = null, DateTimeOffset? effectiveUntil = null)
    {
        var body = new Dictionary<string, object>
        {
            ["status"] = "order_issued",
            ["orderReference"] = "Resolución 149-2021/CDA-INDECOPI",
            ["effectiveUntil"] = effectiveUntil ?? DateTimeOffset.UtcNow.AddDays(30),
        };
        if (safeguardOverride is not null)
        {
            body["safeguardOverride"] = safeguardOverride;
        }
        if (orderedTargets is not null)
        {
            body["orderedTargets"] = orderedTargets;
        }
        if (notOrderedReason is not null)
        {
            body["notOrderedReason"] = notOrderedReason;
        }
        return body;
    }

    public static readonly object UnderReview = new { status = "under_review" };

    public static string ProblemType(JsonElement problem) => problem.GetProperty("type").GetString()!;

    public static JsonElement Outcome(JsonElement caseView, int index) =>
        caseView.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("index").GetInt32() == index);

    /// <summary>Adds a sharing agreement the demo tenants lack (es-mcd reporting to indecopi) and reloads the directory.</summary>
    public static async Task AllowAsync(ExchangeServer server, string reporter, string agency)
    {
        using (var scope = server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
            if (await db.SharingAgreements.FindAsync(reporter, agency) is null)
            {
                db.SharingAgreements.Add(new SharingAgreement { ReporterId = reporter, AgencyId = agency, IsDefault = false, CreatedAt = DateTimeOffset.UtcNow });
                await db.SaveChangesAsync();
                await db.DirectoryStates.Where(s => s.Id == 1).ExecuteUpdateAsync(set => set.SetProperty(s => s.Version, s => s.Version + 1));
            }
        }
        await server.Services.GetRequiredService<TenantDirectory>().RefreshAsync(CancellationToken.None);
    }

    public static async Task<T?> ReadAsync<T>(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<T>();
}
