using System.Net;
using IntelExchange.Api.Tests.Support;
using static IntelExchange.Api.Tests.Features.Safeguards.SafeguardSteps;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>Flags at intake and in reads, the override rule, and partial orders, over real HTTPS.</summary>
public abstract class SafeguardFlagsTests(ExchangeServer server) : IDisposable
{
    private readonly Partner _ifpi = new(server, "ifpi");
    private readonly Partner _indecopi = new(server, "indecopi");

    public void Dispose()
    {
        _ifpi.Dispose();
        _indecopi.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Flags_come_back_on_each_target_in_the_202_and_in_GET_for_the_submitter_and_the_agency()
    {
        var clean = Unique();
        var accepted = await SubmitAsync(_ifpi,
            Domain($"{Guid.NewGuid():N}.Usercontent.GOOGLE.com."), Url($"https://{clean}/es/youtube-mp3"), Ip("ipv4", "104.16.0.1"),
            Ip("ipv6", "::ffff:151.101.1.1"), Url("https://[2606:4700::6810:1]/live"));

        var targets = accepted.GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3, 4], targets.Select(t => t.GetProperty("index").GetInt32()));
        Assert.Equal(["domain_suffix:google.com"], Rules(targets[0]));
        Assert.Empty(Rules(targets[1]));
        Assert.Equal(["cidr:104.16.0.0/13"], Rules(targets[2]));
        Assert.Equal(["cidr:151.101.0.0/16"], Rules(targets[3]));
        Assert.Equal(["cidr:2606:4700::/32"], Rules(targets[4]));
        var flag = targets[2].GetProperty("flags")[0];
        Assert.Equal("protected_infrastructure", flag.GetProperty("code").GetString());
        Assert.Contains("Cloudflare", flag.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var reportId = accepted.GetProperty("reportId").GetGuid();
        foreach (var reader in new[] { _ifpi, _indecopi })
        {
            var report = await GetJsonAsync(reader.Http, $"/v1/reports/{reportId}");
            var read = report.GetProperty("targets").EnumerateArray().ToList();
            Assert.Equal(targets.Select(t => string.Join(",", Rules(t))), read.Select(t => string.Join(",", Rules(t))));
            Assert.Equal("104.16.0.1", read[2].GetProperty("value").GetString());
        }
    }

    [Fact]
    public async Task An_order_over_a_flagged_target_without_an_override_is_refused_and_changes_nothing()
    {
        var caseId = CaseOf(await SubmitAsync(_ifpi, Url("https://drive.google.com/file/d/abc"), Domain(Unique())));
        await MoveAsync(_indecopi.Http, caseId, UnderReview);

        var (status, problem) = await PostStatusAsync(_indecopi.Http, caseId, Order());

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("https://intelexchange.example/problems/safeguard-override-required", ProblemType(problem));
        Assert.Equal([0], problem.GetProperty("flaggedTargets").EnumerateArray().Select(i => i.GetInt32()));
        var stored = await GetJsonAsync(_indecopi.Http, $"/v1/cases/{caseId}");
        Assert.Equal("under_review", stored.GetProperty("status").GetString());
        Assert.Equal(2, stored.GetProperty("sequence").GetInt32());
        Assert.Equal("pending", Outcome(stored, 0).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task An_order_with_an_override_records_its_reason_and_who_gave_it_in_the_history()
    {
        var accepted = await SubmitAsync(_ifpi, Domain(Unique()), Ip("ipv4", "8.8.8.8"));
        var caseId = CaseOf(accepted);
        await MoveAsync(_indecopi.Http, caseId, UnderReview);

        var moved = await MoveAsync(_indecopi.Http, caseId, Order(new { reason = "The pirate service is the only user of this address (verified)." }));

        Assert.Equal("order_issued", moved.GetProperty("status").GetString());
        var entry = moved.GetProperty("history")[2];
        var given = entry.GetProperty("safeguardOverride");
        Assert.Equal("The pirate service is the only user of this address (verified).", given.GetProperty("reason").GetString());
        Assert.Equal("indecopi", given.GetProperty("givenBy").GetString());
        Assert.Equal([1], given.GetProperty("flaggedTargets").EnumerateArray().Select(i => i.GetInt32()));
        Assert.Equal("ordered", Outcome(moved, 0).GetProperty("outcome").GetString());
        Assert.Equal("ordered", Outcome(moved, 1).GetProperty("outcome").GetString());

        var asSubmitter = await GetJsonAsync(_ifpi.Http, $"/v1/cases/{caseId}");
        Assert.Equal("indecopi", asSubmitter.GetProperty("history")[2].GetProperty("safeguardOverride").GetProperty("givenBy").GetString());
    }

    [Fact]
    public async Task A_partial_order_that_leaves_the_flagged_target_out_still_needs_the_override_and_the_submitter_sees_each_outcome()
    {
        var accepted = await SubmitAsync(_ifpi, Domain("cdn.cloudflare.com"), Domain(Unique()), Url($"https://{Unique()}/rip"));
        var caseId = CaseOf(accepted);
        await MoveAsync(_indecopi.Http, caseId, UnderReview);

        var (refusedStatus, refused) = await PostStatusAsync(_indecopi.Http, caseId, Order(orderedTargets: [2, 1], notOrderedReason: "Shared Cloudflare name; not blockable."));
        var moved = await MoveAsync(_indecopi.Http, caseId, Order(new { reason = "Only the two rip targets; the CDN name is left out." },
            orderedTargets: [2, 1], notOrderedReason: "Shared Cloudflare name; not blockable."));

        Assert.Equal(HttpStatusCode.Conflict, refusedStatus);
        Assert.Equal([0], refused.GetProperty("flaggedTargets").EnumerateArray().Select(i => i.GetInt32()));
        Assert.Empty(refused.GetProperty("coveredFlaggedTargets").EnumerateArray());
        var order = moved.GetProperty("history")[2];
        Assert.Equal([1, 2], order.GetProperty("orderedTargets").EnumerateArray().Select(i => i.GetInt32()));
        Assert.Equal("indecopi", order.GetProperty("safeguardOverride").GetProperty("givenBy").GetString());
        Assert.Empty(order.GetProperty("safeguardOverride").GetProperty("flaggedTargets").EnumerateArray());
        var report = await GetJsonAsync(_ifpi.Http, $"/v1/reports/{accepted.GetProperty("reportId").GetGuid()}");
        var seen = report.GetProperty("cases")[0];
        Assert.Equal("not_ordered", Outcome(seen, 0).GetProperty("outcome").GetString());
        Assert.Equal("Shared Cloudflare name; not blockable.", Outcome(seen, 0).GetProperty("reason").GetString());
        Assert.Equal("ordered", Outcome(seen, 1).GetProperty("outcome").GetString());
        Assert.Equal("ordered", Outcome(seen, 2).GetProperty("outcome").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, Outcome(seen, 1).GetProperty("reason").ValueKind);
    }

    [Fact]
    public async Task A_partial_order_that_covers_a_flagged_target_still_needs_the_override()
    {
        var caseId = CaseOf(await SubmitAsync(_ifpi, Domain(Unique()), Domain("www.youtube.com")));
        await MoveAsync(_indecopi.Http, caseId, UnderReview);

        var (status, problem) = await PostStatusAsync(_indecopi.Http, caseId, Order(orderedTargets: [1], notOrderedReason: "Only the second."));

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal([1], problem.GetProperty("flaggedTargets").EnumerateArray().Select(i => i.GetInt32()));
    }

    [Fact]
    public async Task Refuses_partial_orders_and_overrides_that_do_not_fit_the_case()
    {
        var flagged = CaseOf(await SubmitAsync(_ifpi, Domain(Unique()), Domain("github.com")));
        var clean = CaseOf(await SubmitAsync(_ifpi, Domain(Unique())));
        await MoveAsync(_indecopi.Http, flagged, UnderReview);
        await MoveAsync(_indecopi.Http, clean, UnderReview);

        var cases = new (Guid Case, object Body, string Field)[]
        {
            (flagged, Order(orderedTargets: [0, 2], notOrderedReason: "x"), "orderedTargets"),
            (flagged, Order(orderedTargets: [0]), "notOrderedReason"),
            (flagged, Order(orderedTargets: [0, 0], notOrderedReason: "x"), "orderedTargets"),
            (flagged, Order(orderedTargets: [-1], notOrderedReason: "x"), "orderedTargets"),
            (flagged, Order(new { reason = "" }), "safeguardOverride.reason"),
            (clean, Order(new { reason = "Nothing is flagged here" }), "safeguardOverride"),
            (clean, new { status = "more_info_requested", safeguardOverride = new { reason = "x" } }, "safeguardOverride"),
            (clean, new { status = "more_info_requested", orderedTargets = new[] { 0 } }, "orderedTargets"),
        };
        foreach (var (caseId, body, field) in cases)
        {
            var (status, problem) = await PostStatusAsync(_indecopi.Http, caseId, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{System.Text.Json.JsonSerializer.Serialize(body)} answered {(int)status}");
            Assert.Equal("https://intelexchange.example/problems/validation-failed", ProblemType(problem));
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error on {field}: {problem}");
        }
        Assert.Equal("under_review", (await GetJsonAsync(_indecopi.Http, $"/v1/cases/{flagged}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_rejection_leaves_every_target_not_ordered_with_its_reason()
    {
        var caseId = CaseOf(await SubmitAsync(_ifpi, Domain(Unique()), Domain(Unique())));

        var moved = await MoveAsync(_indecopi.Http, caseId, new { status = "rejected", reason = "Insufficient evidence" });

        Assert.All(moved.GetProperty("targets").EnumerateArray(), t =>
        {
            Assert.Equal("not_ordered", t.GetProperty("outcome").GetString());
            Assert.Equal("Insufficient evidence", t.GetProperty("reason").GetString());
        });
    }
}

public sealed class SafeguardFlagsOnSqliteTests(SqliteExchange fixture) : SafeguardFlagsTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class SafeguardFlagsOnPostgresTests(PostgresExchange fixture) : SafeguardFlagsTests(fixture.Server), IClassFixture<PostgresExchange>;
