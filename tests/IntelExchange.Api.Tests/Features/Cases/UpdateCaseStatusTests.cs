using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntelExchange.Api.Features.Cases;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Cases;

public sealed class UpdateCaseStatusTests : IClassFixture<SqliteExchange>, IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;
    private readonly Partner _indecopi;
    private readonly Partner _esMcd;

    public UpdateCaseStatusTests(SqliteExchange fixture)
    {
        _server = fixture.Server;
        _ifpi = new Partner(_server, "ifpi");
        _indecopi = new Partner(_server, "indecopi");
        _esMcd = new Partner(_server, "es-mcd");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        _indecopi.Dispose();
        _esMcd.Dispose();
    }

    [Theory]
    [InlineData("received", "under_review")]
    [InlineData("received", "rejected")]
    [InlineData("received", "withdrawn")]
    [InlineData("under_review", "more_info_requested")]
    [InlineData("under_review", "order_issued")]
    [InlineData("under_review", "rejected")]
    [InlineData("under_review", "withdrawn")]
    [InlineData("more_info_requested", "under_review")]
    [InlineData("more_info_requested", "rejected")]
    [InlineData("more_info_requested", "withdrawn")]
    [InlineData("order_issued", "enforced")]
    [InlineData("order_issued", "lifted")]
    [InlineData("enforced", "lifted")]
    public async Task Makes_every_valid_transition_and_answers_with_the_case(string from, string to)
    {
        var caseId = await OpenCaseAsync(_ifpi);
        await WalkToAsync(_ifpi, _indecopi, caseId, from);

        var moved = await MoveAsync(MoverOf(to, _ifpi, _indecopi), caseId, BodyFor(to));

        Assert.Equal(WireNames<CaseStatus>.FromWire(to), moved.Status);
        Assert.Equal(caseId, moved.CaseId);
        Assert.Equal(PathTo(from).Length + 2, moved.Sequence);
        var last = moved.History[^1];
        Assert.Equal(moved.Sequence, last.Sequence);
        Assert.Equal(WireNames<CaseStatus>.FromWire(from), last.PreviousStatus);
        Assert.Equal(to == "withdrawn" ? "ifpi" : "indecopi", last.Actor);
    }

    [Theory]
    [InlineData("received", "received")]
    [InlineData("received", "more_info_requested")]
    [InlineData("received", "order_issued")]
    [InlineData("received", "enforced")]
    [InlineData("received", "lifted")]
    [InlineData("under_review", "under_review")]
    [InlineData("under_review", "enforced")]
    [InlineData("under_review", "lifted")]
    [InlineData("more_info_requested", "order_issued")]
    [InlineData("more_info_requested", "lifted")]
    [InlineData("order_issued", "under_review")]
    [InlineData("order_issued", "rejected")]
    [InlineData("order_issued", "withdrawn")]
    [InlineData("order_issued", "order_issued")]
    [InlineData("enforced", "order_issued")]
    [InlineData("enforced", "withdrawn")]
    [InlineData("enforced", "rejected")]
    [InlineData("rejected", "under_review")]
    [InlineData("rejected", "withdrawn")]
    [InlineData("withdrawn", "under_review")]
    [InlineData("withdrawn", "rejected")]
    [InlineData("lifted", "enforced")]
    [InlineData("lifted", "order_issued")]
    [InlineData("lifted", "withdrawn")]
    public async Task Refuses_every_other_transition_with_409_and_leaves_the_case_alone(string from, string to)
    {
        var caseId = await OpenCaseAsync(_ifpi);
        await WalkToAsync(_ifpi, _indecopi, caseId, from);

        var response = await PostStatusAsync(MoverOf(to, _ifpi, _indecopi), caseId, BodyFor(to));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(Problems.InvalidTransition.Type, await ProblemTypeAsync(response));
        var current = await _indecopi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}");
        Assert.Equal(WireNames<CaseStatus>.FromWire(from), current!.Status);
        Assert.Equal(PathTo(from).Length + 1, current.History.Count);
    }

    [Fact]
    public async Task A_tenant_that_is_neither_party_gets_404_for_moves_and_reads()
    {
        var caseId = await OpenCaseAsync(_ifpi);

        var move = await PostStatusAsync(_esMcd.Http, caseId, Body("under_review"));
        var withdraw = await PostStatusAsync(_esMcd.Http, caseId, Body("withdrawn"));
        var read = await _esMcd.Http.GetAsync($"/v1/cases/{caseId}");
        var unknown = await PostStatusAsync(_indecopi.Http, Guid.NewGuid(), Body("under_review"));

        Assert.Equal(HttpStatusCode.NotFound, move.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withdraw.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(Problems.NotFound.Type, await ProblemTypeAsync(move));
    }

    [Fact]
    public async Task The_submitter_cannot_make_the_agencys_moves()
    {
        var caseId = await OpenCaseAsync(_ifpi);

        var response = await PostStatusAsync(_ifpi.Http, caseId, Body("under_review"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(Problems.CaseMoveForbidden.Type, await ProblemTypeAsync(response));
    }

    [Fact]
    public async Task The_agency_cannot_withdraw_the_submitters_report()
    {
        var caseId = await OpenCaseAsync(_ifpi);

        var response = await PostStatusAsync(_indecopi.Http, caseId, Body("withdrawn"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(Problems.CaseMoveForbidden.Type, await ProblemTypeAsync(response));
    }

    public static TheoryData<string, string> InvalidOrders => new()
    {
        { """{ "status": "order_issued", "effectiveUntil": "2099-01-01T00:00:00Z" }""", "orderReference" },
        { """{ "status": "order_issued", "orderReference": "" , "effectiveUntil": "2099-01-01T00:00:00Z" }""", "orderReference" },
        { """{ "status": "order_issued", "orderReference": "Resolución 149-2021/CDA-INDECOPI" }""", "effectiveUntil" },
        { Body("order_issued", orderReference: "R-1", effectiveUntil: DateTimeOffset.UtcNow.AddMinutes(-1)), "effectiveUntil" },
        { Body("order_issued", orderReference: "R-1", effectiveUntil: DateTimeOffset.UtcNow.AddDays(366)), "effectiveUntil" },
        { Body("order_issued", orderReference: new string('R', 201), effectiveUntil: DateTimeOffset.UtcNow.AddDays(1)), "orderReference" },
        { Body("under_review", orderReference: "R-1"), "orderReference" },
        { Body("rejected", effectiveUntil: DateTimeOffset.UtcNow.AddDays(1)), "effectiveUntil" },
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task Refuses_an_order_without_a_reference_or_a_bounded_future_end_with_400(string body, string field)
    {
        var caseId = await OpenCaseAsync(_ifpi);
        await WalkToAsync(_ifpi, _indecopi, caseId, "under_review");

        var response = await PostStatusAsync(_indecopi.Http, caseId, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Problems.ValidationFailed.Type, await ProblemTypeAsync(response));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Refuses_unknown_properties_and_a_missing_idempotency_key()
    {
        var caseId = await OpenCaseAsync(_ifpi);

        var unknown = await PostStatusAsync(_indecopi.Http, caseId, """{ "status": "under_review", "assignee": "someone" }""");
        var noKey = await _indecopi.Http.PostAsync($"/v1/cases/{caseId}/status", JsonContent.Create(new { status = "under_review" }));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(Problems.MalformedJson.Type, await ProblemTypeAsync(unknown));
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(Problems.IdempotencyKeyMissing.Type, await ProblemTypeAsync(noKey));
    }

    [Fact]
    public async Task Replays_a_move_sent_again_with_the_same_key_without_moving_the_case_twice()
    {
        var caseId = await OpenCaseAsync(_ifpi);
        var otherCaseId = await OpenCaseAsync(_ifpi);
        var key = Guid.NewGuid().ToString();

        var first = await PostStatusAsync(_indecopi.Http, caseId, Body("under_review", "triage"), key);
        var again = await PostStatusAsync(_indecopi.Http, caseId, Body("under_review", "triage"), key);
        var otherBody = await PostStatusAsync(_indecopi.Http, caseId, Body("rejected", "triage"), key);
        var otherCase = await PostStatusAsync(_indecopi.Http, otherCaseId, Body("under_review", "triage"), key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherBody.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherCase.StatusCode);
        var current = await _indecopi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}");
        Assert.Equal(2, current!.Sequence);
        Assert.Equal(1, _server.WithDb(db => db.OutboxMessages.Count(m => m.MessageType == nameof(CaseStatusChanged) && m.Body.Contains(caseId.ToString()))));
    }

    [Fact]
    public async Task Lets_only_one_of_several_concurrent_moves_win()
    {
        var caseId = await OpenCaseAsync(_ifpi);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            PostStatusAsync(_indecopi.Http, caseId, Body("under_review", $"attempt {i}"))));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var current = await _indecopi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}");
        Assert.Equal([1, 2], current!.History.Select(h => h.Sequence));
    }

    [Fact]
    public async Task Tells_the_agency_of_every_change_through_the_outbox_and_of_a_lift_twice()
    {
        var caseId = await OpenCaseAsync(_ifpi);
        await WalkToAsync(_ifpi, _indecopi, caseId, "lifted");

        var messages = _server.WithDb(db => db.OutboxMessages.AsNoTracking()
            .Where(m => m.Destination == "indecopi" && m.Body.Contains(caseId.ToString())).ToList());
        var changes = messages.Where(m => m.MessageType == nameof(CaseStatusChanged))
            .Select(m => JsonSerializer.Deserialize<CaseStatusChanged>(m.Body, Outbox.MessageJson)!).OrderBy(c => c.Sequence).ToList();
        var lifted = JsonSerializer.Deserialize<CaseLifted>(messages.Single(m => m.MessageType == nameof(CaseLifted)).Body, Outbox.MessageJson)!;

        Assert.Equal([CaseStatus.UnderReview, CaseStatus.OrderIssued, CaseStatus.Lifted], changes.Select(c => c.Status));
        Assert.Equal([2, 3, 4], changes.Select(c => c.Sequence));
        Assert.All(changes, c => Assert.Equal("ifpi", c.Submitter));
        Assert.Equal("Resolución 149-2021/CDA-INDECOPI", changes[1].OrderReference);
        Assert.False(lifted.Expired);
        Assert.Equal(4, lifted.Sequence);
    }

    [Fact]
    public async Task Moves_the_report_to_in_progress_and_closes_it_when_every_case_is_terminal()
    {
        var accepted = await SubmitAsync(_ifpi, shareWith: """["indecopi", "es-mcd"]""");
        var byIndecopi = accepted.Cases.Single(c => c.Agency == "indecopi").CaseId;
        var byEsMcd = accepted.Cases.Single(c => c.Agency == "es-mcd").CaseId;
        async Task<ReportStatus> ReportStatusAsync() =>
            (await _ifpi.Http.GetFromJsonAsync<ReportDetails>($"/v1/reports/{accepted.ReportId}"))!.Status;

        var atStart = await ReportStatusAsync();
        await MoveAsync(_indecopi.Http, byIndecopi, Body("under_review"));
        var afterFirstMove = await ReportStatusAsync();
        await MoveAsync(_indecopi.Http, byIndecopi, Body("rejected", "out of scope"));
        var afterOneTerminal = await ReportStatusAsync();
        await MoveAsync(_ifpi.Http, byEsMcd, Body("withdrawn", "sent by mistake"));
        var afterAllTerminal = await ReportStatusAsync();

        Assert.Equal(ReportStatus.Received, atStart);
        Assert.Equal(ReportStatus.InProgress, afterFirstMove);
        Assert.Equal(ReportStatus.InProgress, afterOneTerminal);
        Assert.Equal(ReportStatus.Closed, afterAllTerminal);
    }
}
