using System.Net;
using System.Text.Json.Nodes;
using IntelExchange.Api.Tests.Support;
using static IntelExchange.Api.Tests.Features.Safeguards.SafeguardSteps;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>An order on a live-sports report ends, by default, when the event does plus a margin: no block outlives the match.</summary>
public abstract class LiveEventOrderTests(ExchangeServer server, TimeSpan margin) : IDisposable
{
    private readonly Partner _ifpi = new(server, "ifpi");
    private readonly Partner _indecopi = new(server, "indecopi");

    public void Dispose()
    {
        _ifpi.Dispose();
        _indecopi.Dispose();
        GC.SuppressFinalize(this);
    }

    private static byte[] LiveReport(DateTimeOffset startsAt, DateTimeOffset endsAt, string category = "live_sports_streaming") =>
        Report([Url($"https://{Unique("live")}/stream/1")], category: category, change: r => r["liveEvent"] = new JsonObject
        {
            ["name"] = "Alianza Lima vs Universitario",
            ["competition"] = "Liga 1",
            ["startsAt"] = startsAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["endsAt"] = endsAt.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        });

    private static object OrderWithoutEnd() => new { status = "order_issued", orderReference = "Resolución 001-2026/CDA-INDECOPI" };

    [Fact]
    public async Task An_order_without_effectiveUntil_on_a_live_sports_report_ends_at_the_event_end_plus_the_margin()
    {
        var later = DateTimeOffset.UtcNow.AddHours(3);
        var endsAt = new DateTimeOffset(later.Year, later.Month, later.Day, later.Hour, later.Minute, later.Second, TimeSpan.Zero);
        var caseId = CaseOf(await SubmitAsync(_ifpi, LiveReport(endsAt.AddHours(-2), endsAt)));
        await MoveAsync(_indecopi.Http, caseId, UnderReview);

        var moved = await MoveAsync(_indecopi.Http, caseId, OrderWithoutEnd());

        Assert.Equal(endsAt + margin, moved.GetProperty("effectiveUntil").GetDateTimeOffset());
        Assert.Equal(endsAt + margin, moved.GetProperty("history")[2].GetProperty("effectiveUntil").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_explicit_effectiveUntil_on_a_live_sports_report_is_kept()
    {
        var endsAt = DateTimeOffset.UtcNow.AddHours(3);
        var caseId = CaseOf(await SubmitAsync(_ifpi, LiveReport(endsAt.AddHours(-2), endsAt)));
        await MoveAsync(_indecopi.Http, caseId, UnderReview);
        var until = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(10), TimeSpan.Zero);

        var moved = await MoveAsync(_indecopi.Http, caseId, Order(effectiveUntil: until));

        Assert.Equal(until, moved.GetProperty("effectiveUntil").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_order_without_effectiveUntil_is_refused_when_the_report_is_no_live_sports_report()
    {
        var endsAt = DateTimeOffset.UtcNow.AddHours(3);
        var caseId = CaseOf(await SubmitAsync(_ifpi, LiveReport(endsAt.AddHours(-2), endsAt, category: "iptv")));
        await MoveAsync(_indecopi.Http, caseId, UnderReview);

        var (status, problem) = await PostStatusAsync(_indecopi.Http, caseId, OrderWithoutEnd());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty("effectiveUntil", out _), problem.ToString());
    }

    [Fact]
    public async Task An_order_without_effectiveUntil_is_refused_once_the_event_and_its_margin_are_over()
    {
        var endsAt = DateTimeOffset.UtcNow - margin - TimeSpan.FromMinutes(5);
        var caseId = CaseOf(await SubmitAsync(_ifpi, LiveReport(endsAt.AddHours(-2), endsAt)));
        await MoveAsync(_indecopi.Http, caseId, UnderReview);

        var (status, problem) = await PostStatusAsync(_indecopi.Http, caseId, OrderWithoutEnd());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("live event", problem.GetProperty("errors").GetProperty("effectiveUntil")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("under_review", (await GetJsonAsync(_indecopi.Http, $"/v1/cases/{caseId}")).GetProperty("status").GetString());
    }
}

public sealed class LiveEventOrderOnSqliteTests(SqliteExchange fixture)
    : LiveEventOrderTests(fixture.Server, TimeSpan.FromHours(2)), IClassFixture<SqliteExchange>;

public sealed class LiveEventOrderOnPostgresTests(PostgresExchange fixture)
    : LiveEventOrderTests(fixture.Server, TimeSpan.FromHours(2)), IClassFixture<PostgresExchange>;

/// <summary>The margin is <c>Cases:LiveEventMargin</c>.</summary>
public sealed class LiveEventOrderWithConfiguredMarginTests(LiveEventOrderWithConfiguredMarginTests.Exchange fixture)
    : LiveEventOrderTests(fixture.Server, TimeSpan.FromMinutes(30)), IClassFixture<LiveEventOrderWithConfiguredMarginTests.Exchange>
{
    public sealed class Exchange : IDisposable
    {
        public ExchangeServer Server { get; } = new(new Dictionary<string, string?> { ["Cases:LiveEventMargin"] = "00:30:00" });

        public void Dispose() => Server.Dispose();
    }
}
