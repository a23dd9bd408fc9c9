using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Audit;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;
using static IntelExchange.Api.Tests.Features.Callbacks.CallbackSteps;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>
/// Every state change leaves one hash-chained entry, committed with the change, and the database refuses to alter
/// one. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class AuditLedgerTests : IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;
    private readonly Partner _indecopi;

    protected AuditLedgerTests(ExchangeServer server)
    {
        _server = server;
        _ifpi = new Partner(server, "ifpi");
        _indecopi = new Partner(server, "indecopi");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        _indecopi.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void The_dev_seeding_recorded_each_tenant_credential_signing_key_and_agreement()
    {
        var seeded = _server.StoredEntries().Select(e => e.Parsed()).Where(e => e.Actor == "exchange").ToList();

        Assert.Equal(["ifpi", "indecopi", "es-mcd", "operator"],
            seeded.Where(e => e.Kind == "tenant.registered").Select(e => e.Subject.Id));
        Assert.Equal(4, seeded.Count(e => e.Kind == "credential.registered"));
        Assert.Equal(4, seeded.Count(e => e.Kind == "signing_key.registered"));
        Assert.Equal(["ifpi>indecopi", "ifpi>es-mcd"], seeded.Where(e => e.Kind == "agreement.set").Select(e => e.Subject.Id));
        var kid = File.ReadAllText(Path.Combine(_server.DevPki, "ifpi", "signing.kid")).Trim();
        Assert.Contains(seeded, e => e.Kind == "signing_key.registered" && e.Subject.Id == "ifpi" && e.Detail("kid") == kid);
    }

    [Fact]
    public async Task An_accepted_report_appends_one_entry_chained_to_the_one_before()
    {
        var before = _server.LedgerSize();
        var body = SampleReports.Bytes(SampleReports.Json());
        var signature = _ifpi.Sign(body);

        using var response = await _ifpi.SubmitAsync(body, signature);
        var accepted = (await response.Content.ReadFromJsonAsync<ReportAccepted>())!;

        var entries = _server.StoredEntries();
        var record = entries.Single(e => e.Kind == AuditEntryKind.ReportAccepted && e.SubjectId == accepted.ReportId.ToString());
        var entry = record.Parsed();
        var previous = entries.Single(e => e.Index == record.Index - 1);
        Assert.True(entries.Count > before);
        Assert.Equal(record.Index, entry.Index);
        Assert.Equal(Convert.ToHexStringLower(previous.EntryHash), entry.PreviousHash);
        Assert.Equal(MerkleTree.LeafHash(record.Entry), record.EntryHash);
        Assert.Equal("ifpi", entry.Actor);
        Assert.Equal(["ifpi", "indecopi"], entry.Parties);
        Assert.Equal(accepted.BodySha256, entry.Detail("bodySha256"));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(signature))), entry.Detail("signatureSha256"));
        Assert.Equal(accepted.Cases[0].CaseId.ToString(), entry.Details.GetProperty("cases")[0].GetProperty("caseId").GetString());
        var report = _server.WithDb(db => db.Reports.Single(r => r.Id == accepted.ReportId));
        Assert.Equal(report.ClientCertificateThumbprint, entry.Detail("clientCertificateSha256"));
    }

    [Fact]
    public async Task A_refused_report_leaves_the_ledger_as_it_was()
    {
        var before = _server.LedgerSize();
        var body = SampleReports.Bytes(SampleReports.Json());

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.SignatureInvalid, () => _ifpi.SubmitAsync(body, _ifpi.Sign([.. body, (byte)' '])));

        Assert.Equal(before, _server.LedgerSize());
    }

    [Fact]
    public async Task A_replayed_submission_is_recorded_once()
    {
        var body = SampleReports.Bytes(SampleReports.Json());
        var key = Guid.NewGuid().ToString();
        using var first = await _ifpi.SubmitAsync(body, idempotencyKey: key);
        var size = _server.LedgerSize();

        using var replay = await _ifpi.SubmitAsync(body, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(size, _server.LedgerSize());
    }

    [Fact]
    public async Task Every_case_move_is_recorded_with_its_actor_statuses_and_sequence()
    {
        var caseId = await OpenCaseAsync(_ifpi);

        await MoveAsync(_indecopi.Http, caseId, Body("under_review", reason: "triage"));
        await MoveAsync(_indecopi.Http, caseId, OrderBody());
        await MoveAsync(_indecopi.Http, caseId, Body("lifted", reason: "court order ended"));

        var moves = _server.StoredEntries().Where(e => e.Kind == AuditEntryKind.CaseStatusChanged && e.SubjectId == caseId.ToString())
            .Select(e => e.Parsed()).ToList();
        Assert.Equal(["under_review", "order_issued", "lifted"], moves.Select(m => m.Detail("status")));
        Assert.Equal(["received", "under_review", "order_issued"], moves.Select(m => m.Detail("previousStatus")));
        Assert.Equal(["2", "3", "4"], moves.Select(m => m.Detail("sequence")));
        Assert.All(moves, m => Assert.Equal("indecopi", m.Actor));
        Assert.All(moves, m => Assert.Equal(["ifpi", "indecopi"], m.Parties));
        Assert.Equal("Resolución 149-2021/CDA-INDECOPI", moves[1].Detail("orderReference"));
    }

    [Fact]
    public async Task A_refused_case_move_leaves_the_ledger_as_it_was()
    {
        var caseId = await OpenCaseAsync(_ifpi);
        var before = _server.LedgerSize();

        using var response = await PostStatusAsync(_indecopi.Http, caseId, Body("enforced"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(before, _server.LedgerSize());
    }

    [Fact]
    public async Task Webhook_registration_and_rotation_are_recorded_without_the_secret()
    {
        using var esMcd = new Partner(_server, "es-mcd");

        var first = await RegisterAsync(esMcd.Http, new Uri("https://203.0.113.20/hooks/audit"));
        var second = await RegisterAsync(esMcd.Http, new Uri("https://203.0.113.21/hooks/audit"));

        var entries = _server.StoredEntries().Where(e => e.SubjectId == "es-mcd" && e.Actor == "es-mcd").ToList();
        Assert.Equal([AuditEntryKind.WebhookRegistered, AuditEntryKind.WebhookRotated], entries.TakeLast(2).Select(e => e.Kind));
        Assert.Equal("https://203.0.113.21/hooks/audit", entries[^1].Parsed().Detail("url"));
        var text = string.Join('\n', entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Entry)));
        Assert.DoesNotContain(first.Secret["whsec_".Length..], text);
        Assert.DoesNotContain(second.Secret["whsec_".Length..], text);
    }

    [Fact]
    public async Task Concurrent_submissions_keep_one_linear_chain()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var partner = new Partner(_server, "ifpi");
            using var response = await partner.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.Accepted, status));
        var entries = _server.StoredEntries();
        Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => (long)i), entries.Select(e => e.Index));
        var verification = LedgerVerifier.Verify(entries.Select(e => e.Entry).ToList(), new AuditCheckpointPayload
        {
            TreeSize = entries.Count,
            RootHash = Convert.ToHexStringLower(MerkleTree.Root(entries.Select(e => e.EntryHash).ToList())),
            IssuedAt = DateTimeOffset.UtcNow,
        });
        Assert.True(verification.Verified, string.Join('\n', verification.Problems));
    }

    [Fact]
    public async Task The_database_refuses_to_update_or_delete_an_entry_or_a_checkpoint()
    {
        using var operatorClient = _server.ClientFor("operator");
        await AuditSteps.LatestCheckpointAsync(operatorClient);

        var update = Assert.ThrowsAny<Exception>(() => _server.WithDb(db =>
            db.AuditEntries.Where(e => e.Index == 0).ExecuteUpdate(s => s.SetProperty(e => e.Actor, "someone-else"))));
        var delete = Assert.ThrowsAny<Exception>(() => _server.WithDb(db => db.AuditEntries.Where(e => e.Index == 0).ExecuteDelete()));
        var checkpoint = Assert.ThrowsAny<Exception>(() => _server.WithDb(db => db.AuditCheckpoints.ExecuteDelete()));

        Assert.Contains("append-only", update.Message + update.InnerException?.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message + delete.InnerException?.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", checkpoint.Message + checkpoint.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal("exchange", _server.StoredEntries()[0].Actor);
        Assert.NotEmpty(_server.WithDb(db => db.AuditCheckpoints.ToList()));
    }
}

public sealed class AuditLedgerOnSqliteTests(SqliteExchange fixture)
    : AuditLedgerTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class AuditLedgerOnPostgresTests(PostgresExchange fixture)
    : AuditLedgerTests(fixture.Server), IClassFixture<PostgresExchange>;
