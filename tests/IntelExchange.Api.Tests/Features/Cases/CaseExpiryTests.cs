using System.Net.Http.Json;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Cases;

public sealed class CaseExpiryTests
{
    private static readonly Dictionary<string, string?> FastExpiry = new() { ["Cases:ExpiryIntervalSeconds"] = "1" };

    [Theory]
    [InlineData("order_issued")]
    [InlineData("enforced")]
    public async Task Lifts_an_expired_order_exactly_once_and_tells_the_agency(string inForce)
    {
        using var server = new ExchangeServer(FastExpiry);
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        var caseId = await OpenCaseAsync(ifpi);
        await MoveAsync(indecopi.Http, caseId, Body("under_review"));
        await MoveAsync(indecopi.Http, caseId, OrderBody(DateTimeOffset.UtcNow.AddSeconds(3)));
        if (inForce == "enforced")
        {
            await MoveAsync(indecopi.Http, caseId, Body("enforced"));
        }

        var lifted = await EventuallyAsync(
            () => ifpi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}")!,
            c => c!.Status == CaseStatus.Lifted, TimeSpan.FromSeconds(30), "the order to expire");
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // a few more rounds of the job
        var later = await ifpi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}");

        var last = lifted!.History[^1];
        Assert.Equal("exchange", last.Actor);
        Assert.Equal("expired", last.Reason);
        Assert.Equal(WireNamesOf(inForce), last.PreviousStatus);
        Assert.Single(later!.History, h => h.Status == CaseStatus.Lifted);
        Assert.Equal(lifted.Sequence, later.Sequence);
        AssertOneExpiryMessage(server, caseId);
    }

    [Fact]
    public async Task Two_instances_on_one_database_lift_an_expired_order_once()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "intelx-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var first = new ExchangeServer(FastExpiry, dataPath);
            using var second = new ExchangeServer(FastExpiry, dataPath);
            using var ifpi = new Partner(first, "ifpi");
            using var indecopi = new Partner(second, "indecopi");
            var caseId = await OpenCaseAsync(ifpi);
            await MoveAsync(indecopi.Http, caseId, Body("under_review"));
            await MoveAsync(indecopi.Http, caseId, OrderBody(DateTimeOffset.UtcNow.AddSeconds(2)));

            await EventuallyAsync(
                () => ifpi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}")!,
                c => c!.Status == CaseStatus.Lifted, TimeSpan.FromSeconds(30), "the order to expire");
            await Task.Delay(TimeSpan.FromSeconds(2.5));

            var history = (await indecopi.Http.GetFromJsonAsync<CaseDetails>($"/v1/cases/{caseId}"))!.History;
            Assert.Single(history, h => h.Status == CaseStatus.Lifted);
            AssertOneExpiryMessage(first, caseId);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    private static void AssertOneExpiryMessage(ExchangeServer server, Guid caseId)
    {
        var lifts = server.WithDb(db => db.OutboxMessages.AsNoTracking()
            .Where(m => m.MessageType == nameof(CaseLifted) && m.Body.Contains(caseId.ToString())).ToList());
        var message = JsonSerializer.Deserialize<CaseLifted>(Assert.Single(lifts).Body, Outbox.MessageJson)!;
        Assert.Equal("indecopi", Assert.Single(lifts).Destination);
        Assert.True(message.Expired);
        Assert.Equal(caseId, message.CaseId);
    }

    private static CaseStatus WireNamesOf(string status) => WireNames<CaseStatus>.FromWire(status);
}
