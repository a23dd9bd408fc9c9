using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Reports;

/// <summary>
/// <c>Idempotency-Key</c> on report intake: required, bounded, scoped by (tenant, key), replayed byte for byte, never
/// reused for another body, and safe under concurrent duplicates. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class IdempotencyTests : IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;

    protected IdempotencyTests(ExchangeServer server)
    {
        _server = server;
        _ifpi = new Partner(server, "ifpi");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        GC.SuppressFinalize(this);
    }

    private static byte[] NewBody() => SampleReports.Bytes(SampleReports.Json());

    private static string Quoted(string key) => $"\"{key}\"";

    [Fact]
    public async Task Refuses_a_report_without_an_idempotency_key()
    {
        var body = NewBody();

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.IdempotencyKeyMissing,
            () => _ifpi.PostRawAsync(body, _ifpi.Sign(body), idempotencyKeyHeader: null));
    }

    [Theory]
    [InlineData(256, false)]
    [InlineData(256, true)]
    [InlineData(1000, false)]
    public async Task Refuses_an_idempotency_key_longer_than_255_characters(int length, bool quoted)
    {
        var body = NewBody();
        var key = new string('k', length);

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.IdempotencyKeyInvalid,
            () => _ifpi.PostRawAsync(body, _ifpi.Sign(body), quoted ? Quoted(key) : key));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"two words\"")]
    [InlineData("\"tab\there\"")]
    [InlineData("\"a\\\"b\"")]
    public async Task Refuses_an_idempotency_key_that_is_empty_or_not_visible_ascii(string header)
    {
        var body = NewBody();

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.IdempotencyKeyInvalid,
            () => _ifpi.PostRawAsync(body, _ifpi.Sign(body), header));
    }

    [Fact]
    public async Task Accepts_an_idempotency_key_of_exactly_255_characters()
    {
        var body = NewBody();
        var key = Guid.NewGuid().ToString("N") + new string('k', 255 - 32);

        using var response = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), Quoted(key));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, _server.WithDb(db => db.IdempotencyRecords.Count(r => r.TenantId == "ifpi" && r.Key == key)));
    }

    [Fact]
    public async Task Replays_the_original_answer_byte_for_byte_for_the_same_key_and_body_and_stores_nothing_new()
    {
        var body = NewBody();
        var signature = _ifpi.Sign(body);
        var key = Guid.NewGuid().ToString();
        using var original = await _ifpi.PostRawAsync(body, signature, Quoted(key));
        var originalBytes = await original.Content.ReadAsByteArrayAsync();
        var afterOriginal = StoredRows.Count(_server);

        using var replay = await _ifpi.PostRawAsync(body, signature, Quoted(key));

        Assert.Equal(HttpStatusCode.Accepted, original.StatusCode);
        Assert.False(original.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(["true"], replay.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(originalBytes, await replay.Content.ReadAsByteArrayAsync());
        Assert.Equal(original.Headers.Location, replay.Headers.Location);
        Assert.Equal(original.Content.Headers.ContentType, replay.Content.Headers.ContentType);
        Assert.Equal(afterOriginal, StoredRows.Count(_server));
    }

    [Fact]
    public async Task Replays_for_the_same_key_and_body_when_a_retry_is_signed_again_with_a_new_jti()
    {
        var body = NewBody();
        var key = Guid.NewGuid().ToString();
        using var original = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), Quoted(key));
        var afterOriginal = StoredRows.Count(_server);

        using var retry = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), Quoted(key));

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(await original.Content.ReadAsByteArrayAsync(), await retry.Content.ReadAsByteArrayAsync());
        Assert.Equal(afterOriginal, StoredRows.Count(_server));
    }

    [Fact]
    public async Task Refuses_the_same_key_with_another_body_with_422_and_stores_nothing()
    {
        var key = Guid.NewGuid().ToString();
        var first = NewBody();
        using var accepted = await _ifpi.PostRawAsync(first, _ifpi.Sign(first), Quoted(key));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var second = NewBody();

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.IdempotencyKeyReused,
            () => _ifpi.PostRawAsync(second, _ifpi.Sign(second), Quoted(key)));
    }

    [Fact]
    public async Task Treats_the_quoted_and_the_bare_form_of_a_key_as_the_same_key()
    {
        var body = NewBody();
        var key = Guid.NewGuid().ToString();
        using var quoted = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), Quoted(key));
        var afterQuoted = StoredRows.Count(_server);

        using var bare = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), key);

        Assert.Equal(HttpStatusCode.Accepted, quoted.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, bare.StatusCode);
        Assert.Equal(["true"], bare.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(await quoted.Content.ReadAsByteArrayAsync(), await bare.Content.ReadAsByteArrayAsync());
        Assert.Equal(afterQuoted, StoredRows.Count(_server));
    }

    [Fact]
    public async Task Scopes_keys_by_tenant_so_another_tenant_may_use_the_same_key()
    {
        await _server.EnsureAgreementAsync("es-mcd", "indecopi");
        using var esMcd = new Partner(_server, "es-mcd");
        var key = Guid.NewGuid().ToString();
        var body = NewBody();
        using var byIfpi = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), Quoted(key));

        using var byEsMcd = await esMcd.PostRawAsync(body, esMcd.Sign(body), Quoted(key));

        Assert.Equal(HttpStatusCode.Accepted, byIfpi.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, byEsMcd.StatusCode);
        Assert.False(byEsMcd.Headers.Contains("Idempotent-Replayed"));
        var ifpiReport = (await byIfpi.Content.ReadFromJsonAsync<ReportAccepted>())!.ReportId;
        var esMcdReport = (await byEsMcd.Content.ReadFromJsonAsync<ReportAccepted>())!.ReportId;
        Assert.NotEqual(ifpiReport, esMcdReport);
        Assert.Equal("es-mcd", _server.WithDb(db => db.Reports.Single(r => r.Id == esMcdReport).TenantId));
        Assert.Equal(2, _server.WithDb(db => db.IdempotencyRecords.Count(r => r.Key == key)));
    }

    [Fact]
    public async Task Does_not_consume_a_key_on_a_refused_request()
    {
        var body = NewBody();
        var key = Guid.NewGuid().ToString();
        using var refused = await _ifpi.PostRawAsync(body, _ifpi.Sign(body, h => h["iss"] = "indecopi"), Quoted(key));

        using var accepted = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), Quoted(key));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.False(accepted.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Stores_exactly_one_report_for_twenty_concurrent_duplicates_and_answers_each_with_202_or_409()
    {
        var body = NewBody();
        var signature = _ifpi.Sign(body);
        var key = Guid.NewGuid().ToString();
        var before = StoredRows.Count(_server);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, 20).Select(async _ =>
        {
            await start.Task;
            return await _ifpi.PostRawAsync(body, signature, Quoted(key));
        }).ToList();

        start.SetResult();
        var responses = await Task.WhenAll(sends);

        var after = StoredRows.Count(_server);
        Assert.Equal(before with { Reports = before.Reports + 1, Cases = before.Cases + 1, CaseEvents = before.CaseEvents + 1, OutboxMessages = before.OutboxMessages + 1,
            IdempotencyRecords = before.IdempotencyRecords + 1 }, after);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await ProblemAssert.IsProblemAsync(conflict, Problems.IdempotencyKeyInFlight);
        }
        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.Accepted).ToList();
        Assert.NotEmpty(accepted);
        var reportIds = new HashSet<Guid>();
        foreach (var response in accepted)
        {
            reportIds.Add((await response.Content.ReadFromJsonAsync<ReportAccepted>())!.ReportId);
        }
        Assert.Single(reportIds);
        Assert.Single(accepted, r => !r.Headers.Contains("Idempotent-Replayed"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}

public sealed class IdempotencyOnSqliteTests(SqliteExchange fixture)
    : IdempotencyTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class IdempotencyOnPostgresTests(PostgresExchange fixture)
    : IdempotencyTests(fixture.Server), IClassFixture<PostgresExchange>
{
    /// <summary>
    /// The in-flight guard is per instance; across instances the unique keys decide. Two exchanges share one database
    /// (and one dev PKI, so the same certificate and key work on both).
    /// </summary>
    [Fact]
    public async Task Stores_exactly_one_report_when_duplicates_race_on_two_instances_sharing_one_database()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = "postgres",
            ["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("twoinstances"),
        };
        using var first = new ExchangeServer(settings);
        using var second = new ExchangeServer(settings, first.DataPath);
        using var viaFirst = new Partner(first, "ifpi");
        using var viaSecond = new Partner(second, "ifpi");
        var body = SampleReports.Bytes(SampleReports.Json());
        var signature = viaFirst.Sign(body);
        var key = Guid.NewGuid().ToString();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, 20).Select(async i =>
        {
            await start.Task;
            return await (i % 2 == 0 ? viaFirst : viaSecond).PostRawAsync(body, signature, $"\"{key}\"");
        }).ToList();

        start.SetResult();
        var responses = await Task.WhenAll(sends);

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.Accepted).ToList();
        var reportIds = new HashSet<Guid>();
        foreach (var response in accepted)
        {
            reportIds.Add((await response.Content.ReadFromJsonAsync<ReportAccepted>())!.ReportId);
        }
        Assert.Single(reportIds);
        Assert.Equal(1, first.WithDb(db => db.Reports.Count()));
        Assert.Equal(1, first.WithDb(db => db.IdempotencyRecords.Count(r => r.Key == key)));
        Assert.Single(accepted, r => !r.Headers.Contains("Idempotent-Replayed"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
