using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Operator;

/// <summary>Per-tenant rate limits (token bucket, after authentication) and the daily target quota of a reporter.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_tenant_past_its_bucket_gets_429_with_retry_after_while_other_tenants_keep_their_own()
    {
        using var server = new ExchangeServer(new Dictionary<string, string?>
        {
            ["RateLimits:TokenLimit"] = "5",
            ["RateLimits:TokensPerPeriod"] = "5",
            ["RateLimits:ReplenishmentPeriod"] = "00:01:00",
            ["RateLimits:Tenants:indecopi:TokenLimit"] = "50",
        });
        using var ifpi = server.ClientFor("ifpi");
        using var indecopi = server.ClientFor("indecopi");

        var withinBucket = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            withinBucket.Add((await ifpi.GetAsync("/v1/partners/me")).StatusCode);
        }
        using var refused = await ifpi.GetAsync("/v1/partners/me");
        var indecopiCalls = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            indecopiCalls.Add((await indecopi.GetAsync("/v1/partners/me")).StatusCode);
        }
        using var ops = new HttpClient { BaseAddress = server.OpsAddress };

        Assert.All(withinBucket, status => Assert.Equal(HttpStatusCode.OK, status));
        var problem = await ProblemAssert.IsProblemAsync(refused, Problems.RateLimited);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("/v1/partners/me", problem.GetProperty("instance").GetString());
        Assert.All(indecopiCalls, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Every_answer_tells_the_tenant_its_bucket_size_what_remains_and_when_it_refills()
    {
        using var server = new ExchangeServer(new Dictionary<string, string?>
        {
            ["RateLimits:TokenLimit"] = "3",
            ["RateLimits:TokensPerPeriod"] = "3",
            ["RateLimits:ReplenishmentPeriod"] = "00:01:00",
        });
        using var ifpi = server.ClientFor("ifpi");

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await ifpi.GetAsync(i == 1 ? $"/v1/reports/{Guid.NewGuid()}" : "/v1/partners/me"));
        }
        static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        Assert.All(answers, a => Assert.Equal("3", Header(a, "RateLimit-Limit")));
        Assert.Equal(["2", "1", "0", "0"], answers.Select(a => Header(a, "RateLimit-Remaining")));
        Assert.All(answers, a => Assert.Equal("60", Header(a, "RateLimit-Reset")));
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task A_rate_limited_report_is_refused_before_anything_is_stored()
    {
        using var server = new ExchangeServer(new Dictionary<string, string?>
        {
            ["RateLimits:TokenLimit"] = "1",
            ["RateLimits:TokensPerPeriod"] = "1",
            ["RateLimits:ReplenishmentPeriod"] = "00:01:00",
        });
        using var ifpi = new Partner(server, "ifpi");
        using var first = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));

        await ProblemAssert.RefusedWithoutStoringAsync(server, Problems.RateLimited, () => ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json())));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
    }
}

public abstract class TargetQuotaTests(Func<IDictionary<string, string?>, ExchangeServer> start)
{
    private static readonly Dictionary<string, string?> TenTargetsADay = new()
    {
        ["Quotas:DailyTargets"] = "10",
        ["Quotas:Tenants:es-mcd:DailyTargets"] = "1000",
    };

    [Fact]
    public async Task Counts_targets_of_accepted_reports_per_utc_day_and_refuses_a_report_that_would_pass_the_quota()
    {
        using var server = start(TenTargetsADay);
        using var ifpi = new Partner(server, "ifpi");
        using var esMcd = new Partner(server, "es-mcd");
        await server.EnsureAgreementAsync("es-mcd", "indecopi");
        var firstBody = SampleReports.Bytes(SampleReports.Json());
        var firstSignature = ifpi.Sign(firstBody);
        var firstKey = Guid.NewGuid().ToString();

        using var six = await ifpi.SubmitAsync(firstBody, firstSignature, firstKey);
        var refused = await ProblemAssert.RefusedWithoutStoringAsync(server, Problems.QuotaExceeded,
            () => ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json())));
        using var retried = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        using var four = await ifpi.SubmitAsync(ReportBodies.WithTargets(
            ReportBodies.Target("domain", "a.example"), ReportBodies.Target("domain", "b.example"),
            ReportBodies.Target("domain", "c.example"), ReportBodies.Target("domain", "d.example")));
        using var replay = await ifpi.SubmitAsync(firstBody, firstSignature, firstKey);
        using var otherTenant = await esMcd.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));

        Assert.Equal(HttpStatusCode.Accepted, six.StatusCode);
        Assert.Equal(10, refused.GetProperty("dailyTargets").GetInt64());
        Assert.Equal(HttpStatusCode.TooManyRequests, retried.StatusCode);
        var retryAfter = int.Parse(retried.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        var untilMidnight = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
        Assert.InRange(retryAfter, 1, (int)Math.Ceiling(untilMidnight.TotalSeconds) + 5);
        Assert.Equal(HttpStatusCode.Accepted, four.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(HttpStatusCode.Accepted, otherTenant.StatusCode);
        Assert.Equal(10, server.WithDb(db => db.TargetQuotaUsage.Single(q => q.TenantId == "ifpi").Targets));
    }

    [Fact]
    public async Task Concurrent_reports_never_take_a_reporter_past_its_quota()
    {
        using var server = start(new Dictionary<string, string?> { ["Quotas:DailyTargets"] = "60" });
        using var ifpi = new Partner(server, "ifpi");

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))));

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(6, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(10, server.WithDb(db => db.Reports.Count(r => r.TenantId == "ifpi")));
        Assert.Equal(60, server.WithDb(db => db.TargetQuotaUsage.Single(q => q.TenantId == "ifpi").Targets));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Refuses_at_once_a_single_report_larger_than_the_whole_quota()
    {
        using var server = start(new Dictionary<string, string?> { ["Quotas:DailyTargets"] = "3" });
        using var ifpi = new Partner(server, "ifpi");

        var problem = await ProblemAssert.RefusedWithoutStoringAsync(server, Problems.QuotaExceeded,
            () => ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json())));

        Assert.Contains("6 targets", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.WithDb(db => db.TargetQuotaUsage.Count()));
    }
}

public sealed class TargetQuotaOnSqliteTests() : TargetQuotaTests(settings => new ExchangeServer(settings));

public sealed class TargetQuotaOnPostgresTests() : TargetQuotaTests(settings => ExchangeServer.Postgres("quota", settings));
