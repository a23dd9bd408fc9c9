using System.Net;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static IntelExchange.Api.Tests.Features.Safeguards.SafeguardSteps;

namespace IntelExchange.Api.Tests.Features.Stats;

/// <summary>GET /v1/stats on a known data set, on an exchange of its own (so every count is known), as each kind of tenant.</summary>
public abstract class StatsTests(ExchangeServer server) : IDisposable
{
    private readonly ExchangeServer _server = server;
    private readonly Partner _ifpi = new(server, "ifpi");
    private readonly Partner _indecopi = new(server, "indecopi");
    private readonly Partner _esMcd = new(server, "es-mcd");
    private readonly HttpClient _operator = server.ClientFor("operator");

    public void Dispose()
    {
        _ifpi.Dispose();
        _indecopi.Dispose();
        _esMcd.Dispose();
        _operator.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// R1 (ifpi, stream_ripping → indecopi): 1 flagged of 2, ordered with an override, enforced, decided after 1 s.
    /// R2 (ifpi, stream_ripping → indecopi): 1 duplicate of R1 of 2, rejected after 5 s.
    /// R3 (ifpi, live_sports_streaming → indecopi and es-mcd): 1 flagged of 2; partial order at indecopi after 9 s.
    /// R4 (es-mcd, download_site → indecopi): 1 duplicate of R1 of 3, not decided.
    /// </summary>
    private async Task SeedAsync()
    {
        await AllowAsync(_server, "es-mcd", "indecopi");
        var shared = Unique();
        var c1 = CaseOf(await SubmitAsync(_ifpi, Report([Domain("drive.google.com"), Domain(shared)])));
        var c2 = CaseOf(await SubmitAsync(_ifpi, Report([Domain(shared), Domain(Unique())])));
        var r3 = await SubmitAsync(_ifpi, Report([Domain(Unique()), Ip("ipv4", "104.16.0.1")], ["indecopi", "es-mcd"], "live_sports_streaming"));
        await SubmitAsync(_esMcd, Report([Domain(shared), Domain(Unique()), Domain(Unique())], category: "download_site"));

        await MoveAsync(_indecopi.Http, c1, UnderReview);
        await MoveAsync(_indecopi.Http, c1, Order(new { reason = "Only the pirate uses this Drive folder." }));
        await MoveAsync(_indecopi.Http, c1, new { status = "enforced", reason = "ISPs confirmed" });
        await MoveAsync(_indecopi.Http, c2, new { status = "rejected", reason = "Licensed" });
        var c3 = CaseOf(r3);
        await MoveAsync(_indecopi.Http, c3, UnderReview);
        await MoveAsync(_indecopi.Http, c3, Order(new { reason = "The Cloudflare address is left out." }, orderedTargets: [0], notOrderedReason: "Cloudflare address"));

        // Decisions on a test run take milliseconds; fixed durations make the medians known.
        await SetDecisionAsync(c1, 1_000);
        await SetDecisionAsync(c2, 5_000);
        await SetDecisionAsync(c3, 9_000);
    }

    private async Task SetDecisionAsync(Guid caseId, long milliseconds)
    {
        using var scope = _server.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().ForSystem();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        Assert.Equal(1, await db.Cases.Where(c => c.Id == caseId && c.DecisionMilliseconds != null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.DecisionMilliseconds, milliseconds)));
    }

    private static Task<JsonElement> StatsAsync(HttpClient client, string query) => GetJsonAsync(client, "/v1/stats?" + query);

    private static readonly string[] Counts =
        ["reports", "cases", "targets", "flaggedTargets", "duplicateTargets", "orders", "enforcedBlocks", "rejections", "overrides"];

    private static long[] Figures(JsonElement figures) => Counts.Select(name => figures.GetProperty(name).GetInt64()).ToArray();

    private static double? Median(JsonElement figures) =>
        figures.GetProperty("medianSecondsToDecision") is { ValueKind: JsonValueKind.Number } median ? median.GetDouble() : null;

    private static Dictionary<string, JsonElement> Groups(JsonElement stats) =>
        stats.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!, g => g.GetProperty("figures"));

    [Fact]
    public async Task Counts_a_known_data_set_per_group_and_per_viewer()
    {
        await SeedAsync();
        var today = DateTime.UtcNow.Date;
        var period = $"from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(2):yyyy-MM-dd}";

        var byCategory = await StatsAsync(_operator, period + "&groupBy=category");
        Assert.Equal([4L, 5, 11, 3, 2, 2, 1, 1, 2], Figures(byCategory.GetProperty("totals")));
        Assert.Equal(5.0, Median(byCategory.GetProperty("totals")));
        var categories = Groups(byCategory);
        Assert.Equal(["download_site", "live_sports_streaming", "stream_ripping"], categories.Keys);
        Assert.Equal([2L, 2, 4, 1, 1, 1, 1, 1, 1], Figures(categories["stream_ripping"]));
        Assert.Equal(3.0, Median(categories["stream_ripping"]));
        Assert.Equal([1L, 2, 4, 2, 0, 1, 0, 0, 1], Figures(categories["live_sports_streaming"]));
        Assert.Equal(9.0, Median(categories["live_sports_streaming"]));
        Assert.Equal([1L, 1, 3, 0, 1, 0, 0, 0, 0], Figures(categories["download_site"]));
        Assert.Null(Median(categories["download_site"]));

        var byAgency = Groups(await StatsAsync(_operator, period + "&groupBy=agency"));
        Assert.Equal([4L, 4, 9, 2, 2, 2, 1, 1, 2], Figures(byAgency["indecopi"]));
        Assert.Equal(5.0, Median(byAgency["indecopi"]));
        Assert.Equal([1L, 1, 2, 1, 0, 0, 0, 0, 0], Figures(byAgency["es-mcd"]));

        var byStatus = Groups(await StatsAsync(_operator, period + "&groupBy=status"));
        Assert.Equal(["enforced", "order_issued", "received", "rejected"], byStatus.Keys);
        Assert.Equal(2, byStatus["received"].GetProperty("cases").GetInt64());

        var byMonth = await StatsAsync(_operator, period + "&groupBy=month");
        foreach (var index in Enumerable.Range(1, 8))
        {
            Assert.Equal(Figures(byMonth.GetProperty("totals"))[index], Groups(byMonth).Values.Sum(f => Figures(f)[index]));
        }

        var reporters = byCategory.GetProperty("reporters").EnumerateArray().ToDictionary(r => r.GetProperty("reporter").GetString()!);
        Assert.Equal(["es-mcd", "ifpi"], reporters.Keys);
        Assert.Equal(4, reporters["ifpi"].GetProperty("cases").GetInt64());
        Assert.Equal(3, reporters["ifpi"].GetProperty("decided").GetInt64());
        Assert.Equal(1.0 / 3, reporters["ifpi"].GetProperty("rejectionRate").GetDouble(), 6);
        Assert.Equal(1.0 / 8, reporters["ifpi"].GetProperty("duplicateRate").GetDouble(), 6);
        Assert.Equal(JsonValueKind.Null, reporters["es-mcd"].GetProperty("rejectionRate").ValueKind);
        Assert.Equal(1.0 / 3, reporters["es-mcd"].GetProperty("duplicateRate").GetDouble(), 6);

        var asIfpi = await StatsAsync(_ifpi.Http, period + "&groupBy=agency");
        Assert.Equal([3L, 4, 8, 3, 1, 2, 1, 1, 2], Figures(asIfpi.GetProperty("totals")));
        Assert.Equal(["ifpi"], asIfpi.GetProperty("reporters").EnumerateArray().Select(r => r.GetProperty("reporter").GetString()));

        var asIndecopi = await StatsAsync(_indecopi.Http, period + "&groupBy=agency");
        Assert.Equal([4L, 4, 9, 2, 2, 2, 1, 1, 2], Figures(asIndecopi.GetProperty("totals")));
        Assert.Equal(["indecopi"], Groups(asIndecopi).Keys);

        var asEsMcd = await StatsAsync(_esMcd.Http, period + "&groupBy=agency");
        Assert.Equal(2, asEsMcd.GetProperty("totals").GetProperty("cases").GetInt64());
        Assert.Equal(["es-mcd", "indecopi"], Groups(asEsMcd).Keys);

        using var sdk = _server.SdkClientFor("ifpi");
        var typed = await sdk.GetStatsAsync(today.AddDays(-1), today.AddDays(2), "category");
        Assert.Equal(4, typed.Totals.Cases);
        Assert.Equal(2, typed.Groups.Single(g => g.Key == "stream_ripping").Figures.Reports);
        Assert.Equal(1.0 / 3, typed.Reporters.Single().RejectionRate!.Value, 6);

        var later = await StatsAsync(_operator, $"from={today.AddDays(2):yyyy-MM-dd}&to={today.AddDays(30):yyyy-MM-dd}T00:00:00Z");
        Assert.Equal(0, later.GetProperty("totals").GetProperty("cases").GetInt64());
        Assert.Empty(later.GetProperty("groups").EnumerateArray());
        Assert.Equal("month", later.GetProperty("groupBy").GetString());
    }

    [Theory]
    [InlineData("groupBy=week")]
    [InlineData("from=2026-02-01&to=2026-01-01")]
    [InlineData("from=yesterday")]
    [InlineData("from=2026-01-01T00:00:00")]
    [InlineData("from=2000-01-01&to=2026-01-01")]
    public async Task Refuses_a_query_it_cannot_answer_exactly(string query)
    {
        var response = await _operator.GetAsync("/v1/stats?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("https://intelexchange.example/problems/invalid-query",
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
    }
}

public sealed class StatsOnSqliteTests(SqliteExchange fixture) : StatsTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class StatsOnPostgresTests(PostgresExchange fixture) : StatsTests(fixture.Server), IClassFixture<PostgresExchange>;
