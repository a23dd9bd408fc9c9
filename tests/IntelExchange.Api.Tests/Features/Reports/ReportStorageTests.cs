using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;

namespace IntelExchange.Api.Tests.Features.Reports;

/// <summary>
/// What an accepted report leaves behind (the exact bytes, the JWS, one case and one outbox message per recipient,
/// the idempotency record), and how recipients are chosen. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class ReportStorageTests : IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;

    protected ReportStorageTests(ExchangeServer server)
    {
        _server = server;
        _ifpi = new Partner(server, "ifpi");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<ReportAccepted> AcceptedAsync(byte[] body, string? signature = null)
    {
        using var response = await _ifpi.SubmitAsync(body, signature);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReportAccepted>())!;
    }

    [Fact]
    public async Task Commits_the_exact_body_its_signature_a_case_an_outbox_message_and_the_idempotency_record_together()
    {
        var body = SampleReports.Bytes(SampleReports.Json());
        var signature = _ifpi.Sign(body);
        var key = Guid.NewGuid().ToString();
        var before = StoredRows.Count(_server);

        using var response = await _ifpi.PostRawAsync(body, signature, $"\"{key}\"");
        var responseBytes = await response.Content.ReadAsByteArrayAsync();
        var accepted = JsonSerializer.Deserialize<ReportAccepted>(responseBytes, ExchangeJson.Strict)!;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before with
        {
            Reports = before.Reports + 1, Cases = before.Cases + 1, CaseEvents = before.CaseEvents + 1, OutboxMessages = before.OutboxMessages + 1,
            IdempotencyRecords = before.IdempotencyRecords + 1,
        }, StoredRows.Count(_server));
        var report = _server.WithDb(db => db.Reports.Single(r => r.Id == accepted.ReportId));
        Assert.Equal(body, report.Body);
        Assert.Equal(signature, report.Jws);
        Assert.Equal("ifpi", report.TenantId);
        Assert.Equal(_ifpi.Kid, report.Kid);
        Assert.Equal(accepted.Receipt, report.Receipt);
        Assert.Equal(accepted.BodySha256, report.BodySha256);
        var storedCase = _server.WithDb(db => db.Cases.Single(c => c.ReportId == accepted.ReportId));
        Assert.Equal(Assert.Single(accepted.Cases).CaseId, storedCase.Id);
        Assert.Equal("indecopi", storedCase.AgencyId);
        var idempotency = _server.WithDb(db => db.IdempotencyRecords.Single(r => r.TenantId == "ifpi" && r.Key == key));
        Assert.Equal(responseBytes, idempotency.ResponseBody);
        Assert.Equal(accepted.BodySha256, idempotency.RequestSha256);
    }

    [Fact]
    public async Task Accepts_forty_concurrent_distinct_reports_and_stores_each_once()
    {
        var before = StoredRows.Count(_server);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = Enumerable.Range(0, 40).Select(async _ =>
        {
            var body = SampleReports.Bytes(SampleReports.Json());
            await start.Task;
            using var response = await _ifpi.SubmitAsync(body);
            return (response.StatusCode, Text: await response.Content.ReadAsStringAsync());
        }).ToList();

        start.SetResult();
        var answers = await Task.WhenAll(sends);

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.Accepted, $"{(int)a.StatusCode}: {a.Text}"));
        Assert.Equal(before with
        {
            Reports = before.Reports + 40, Cases = before.Cases + 40, CaseEvents = before.CaseEvents + 40, OutboxMessages = before.OutboxMessages + 40,
            IdempotencyRecords = before.IdempotencyRecords + 40,
        }, StoredRows.Count(_server));
    }

    [Fact]
    public async Task Shares_with_the_default_recipient_when_share_with_is_omitted()
    {
        var body = ReportBodies.With(r => r.Remove("shareWith"));

        var accepted = await AcceptedAsync(body);

        Assert.Equal("indecopi", Assert.Single(accepted.Cases).Agency);
        Assert.Equal(["indecopi"], OutboxDestinations(accepted.ReportId));
    }

    [Fact]
    public async Task Shares_with_the_default_recipient_when_share_with_is_null()
    {
        var body = ReportBodies.WithValue("shareWith", null);

        var accepted = await AcceptedAsync(body);

        Assert.Equal("indecopi", Assert.Single(accepted.Cases).Agency);
    }

    [Fact]
    public async Task Opens_one_case_and_sends_one_message_per_named_recipient()
    {
        var body = SampleReports.Bytes(SampleReports.Json(shareWith: """["indecopi", "es-mcd"]"""));

        var accepted = await AcceptedAsync(body);

        Assert.Equal(["es-mcd", "indecopi"], accepted.Cases.Select(c => c.Agency).Order(StringComparer.Ordinal));
        Assert.Equal(2, accepted.Cases.Select(c => c.CaseId).Distinct().Count());
        Assert.All(accepted.Cases, c => Assert.Equal(CaseStatus.Received, c.Status));
        Assert.Equal(["es-mcd", "indecopi"], OutboxDestinations(accepted.ReportId));
        Assert.Equal(2, _server.WithDb(db => db.Cases.Count(c => c.ReportId == accepted.ReportId)));
    }

    [Theory]
    [InlineData("""["operator"]""", "operator")]
    [InlineData("""["no-such-agency"]""", "no-such-agency")]
    [InlineData("""["indecopi", "operator"]""", "operator")]
    [InlineData("""["ifpi"]""", "ifpi")]
    public async Task Refuses_a_recipient_without_a_sharing_agreement_and_stores_nothing(string shareWith, string refused)
    {
        var body = SampleReports.Bytes(SampleReports.Json(shareWith: shareWith));

        var problem = await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.RecipientNotAllowed, () => _ifpi.SubmitAsync(body));

        Assert.Equal([refused], problem.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Refuses_a_report_without_recipients_from_a_submitter_that_has_no_default()
    {
        await _server.EnsureAgreementAsync("es-mcd", "indecopi", isDefault: false);
        using var esMcd = new Partner(_server, "es-mcd");
        var body = ReportBodies.With(r => r.Remove("shareWith"));

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.NoRecipient, () => esMcd.SubmitAsync(body));
    }

    private List<string> OutboxDestinations(Guid reportId) => _server.WithDb(db => db.OutboxMessages
            .Where(m => m.MessageType == nameof(ReportShared)).AsEnumerable()
            .Select(m => (m.Destination, Message: JsonSerializer.Deserialize<ReportShared>(m.Body, Outbox.MessageJson)!))
            .Where(m => m.Message.ReportId == reportId)
            .Select(m => m.Destination)
            .Order(StringComparer.Ordinal)
            .ToList());
}

public sealed class ReportStorageOnSqliteTests(SqliteExchange fixture)
    : ReportStorageTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class ReportStorageOnPostgresTests(PostgresExchange fixture)
    : ReportStorageTests(fixture.Server), IClassFixture<PostgresExchange>;
