using System.Net.Http.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Cases;

public sealed class GetCaseTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public GetCaseTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task Shows_both_parties_the_same_case_with_its_history_numbered_from_one()
    {
        using var ifpi = new Partner(_server, "ifpi");
        using var indecopi = new Partner(_server, "indecopi");
        var accepted = await SubmitAsync(ifpi);
        var caseId = accepted.Cases.Single().CaseId;
        var effectiveUntil = DateTimeOffset.UtcNow.AddDays(90);

        await MoveAsync(indecopi.Http, caseId, Body("under_review", note: "assigned to the enforcement desk"));
        await MoveAsync(indecopi.Http, caseId, Body("more_info_requested", "need the ISP list"));
        await MoveAsync(indecopi.Http, caseId, Body("under_review", "ISP list received"));
        await MoveAsync(indecopi.Http, caseId, Body("order_issued", "blocking ordered", "Resolución 149-2021/CDA-INDECOPI", effectiveUntil));
        await MoveAsync(indecopi.Http, caseId, Body("enforced", "ISPs confirmed"));
        var bySubmitter = await ifpi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}");
        var byAgency = await indecopi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}");

        Assert.Equal([1, 2, 3, 4, 5, 6], bySubmitter!.History.Select(h => h.Sequence));
        Assert.Equal(
            [CaseStatus.Received, CaseStatus.UnderReview, CaseStatus.MoreInfoRequested, CaseStatus.UnderReview, CaseStatus.OrderIssued, CaseStatus.Enforced],
            bySubmitter.History.Select(h => h.Status));
        Assert.Equal(
            [null, CaseStatus.Received, CaseStatus.UnderReview, CaseStatus.MoreInfoRequested, CaseStatus.UnderReview, CaseStatus.OrderIssued],
            bySubmitter.History.Select(h => h.PreviousStatus));
        Assert.Equal(["ifpi", "indecopi", "indecopi", "indecopi", "indecopi", "indecopi"], bySubmitter.History.Select(h => h.Actor));
        Assert.Equal("assigned to the enforcement desk", bySubmitter.History[1].Note);
        Assert.Equal("Resolución 149-2021/CDA-INDECOPI", bySubmitter.History[4].OrderReference);
        Assert.Equal(effectiveUntil.ToUnixTimeMilliseconds(), bySubmitter.History[4].EffectiveUntil!.Value.ToUnixTimeMilliseconds());

        Assert.Equal(CaseStatus.Enforced, bySubmitter.Status);
        Assert.Equal(6, bySubmitter.Sequence);
        Assert.Equal(accepted.ReportId, bySubmitter.ReportId);
        Assert.Equal("ifpi", bySubmitter.Submitter);
        Assert.Equal("indecopi", bySubmitter.Agency);
        Assert.Equal("Resolución 149-2021/CDA-INDECOPI", bySubmitter.OrderReference);
        Assert.True(bySubmitter.UpdatedAt > bySubmitter.CreatedAt);
        Assert.Equal(
            System.Text.Json.JsonSerializer.Serialize(bySubmitter),
            System.Text.Json.JsonSerializer.Serialize(byAgency));
    }
}
