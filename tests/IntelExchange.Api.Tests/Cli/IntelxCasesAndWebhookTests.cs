using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using IntelExchange.Api.Tests.Features.Callbacks;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Cli;

/// <summary><c>intelx cases …</c> and <c>intelx webhook …</c> as separate processes against a real exchange.</summary>
public sealed class IntelxCasesAndWebhookTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public IntelxCasesAndWebhookTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task The_agency_moves_a_case_to_an_order_and_the_history_shows_each_step()
    {
        using var ifpi = new Partner(_server, "ifpi");
        var caseId = await OpenCaseAsync(ifpi);
        var until = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var review = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "cases", "move", caseId.ToString(), "under_review", "--reason", "triage"]);
        var order = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "cases", "move", caseId.ToString(), "order_issued",
            "--order-reference", "Resolución 149-2021/CDA-INDECOPI", "--effective-until", until]);
        var shown = await Intelx.RunAsync([.. Intelx.Against(_server, "ifpi"), "cases", "get", caseId.ToString(), "--json"]);

        Assert.True(review.ExitCode == 0, review.ToString());
        Assert.StartsWith($"Case {caseId}  under_review", review.Output, StringComparison.Ordinal);
        Assert.True(order.ExitCode == 0, order.ToString());
        Assert.Contains("order         Resolución 149-2021/CDA-INDECOPI", order.Output, StringComparison.Ordinal);
        Assert.Contains("  3. ", order.Output, StringComparison.Ordinal);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        using var json = JsonDocument.Parse(shown.Output);
        Assert.Equal("order_issued", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(["received", "under_review", "order_issued"],
            json.RootElement.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("status").GetString()));
        Assert.Equal(CaseStatus.OrderIssued, _server.WithDb(db => db.Cases.Single(c => c.Id == caseId).Status));
    }

    [Fact]
    public async Task A_refused_move_exits_1_with_the_problem_and_changes_nothing()
    {
        using var ifpi = new Partner(_server, "ifpi");
        var caseId = await OpenCaseAsync(ifpi);

        var bySubmitter = await Intelx.RunAsync([.. Intelx.Against(_server, "ifpi"), "cases", "move", caseId.ToString(), "under_review"]);
        var noOrderReference = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "cases", "move", caseId.ToString(), "order_issued"]);
        var badDate = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "cases", "move", caseId.ToString(), "order_issued",
            "--order-reference", "R-1", "--effective-until", "next tuesday"]);
        var unknownStatus = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "cases", "move", caseId.ToString(), "blocked"]);

        Assert.True(bySubmitter.ExitCode == 1, bySubmitter.ToString());
        Assert.Contains("(403 case-move-forbidden)", bySubmitter.Error, StringComparison.Ordinal);
        Assert.True(noOrderReference.ExitCode == 1, noOrderReference.ToString());
        Assert.Contains("orderReference: ", noOrderReference.Error, StringComparison.Ordinal);
        Assert.True(badDate.ExitCode == 2, badDate.ToString());
        Assert.Contains("--effective-until must be an RFC 3339 date-time", badDate.Error, StringComparison.Ordinal);
        Assert.True(unknownStatus.ExitCode == 2, unknownStatus.ToString());
        var stored = _server.WithDb(db => db.Cases.Single(c => c.Id == caseId));
        Assert.Equal((CaseStatus.Received, 1), (stored.Status, stored.Sequence));
    }

    [Fact]
    public async Task Webhook_set_prints_the_secret_that_signs_the_callbacks_and_deliveries_and_redeliver_show_them()
    {
        using var server = new ExchangeServer(CallbackSteps.LoopbackSettings());
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();

        var set = await Intelx.RunAsync([.. Intelx.Against(server, "ifpi"), "webhook", "set", receiver.Url.ToString(), "--json"]);
        Assert.True(set.ExitCode == 0, set.ToString());
        using var registered = JsonDocument.Parse(set.Output);
        var secret = registered.RootElement.GetProperty("secret").GetString()!;
        receiver.TrustedSecrets.Add(secret);
        var shown = await Intelx.RunAsync([.. Intelx.Against(server, "ifpi"), "webhook", "show"]);
        var caseId = await OpenCaseAsync(ifpi);
        await MoveAsync(indecopi.Http, caseId, Body("under_review"));
        await CallbackSteps.VerifiedWhenAsync(receiver, caseId, 1, "the callback signed with the printed secret");
        await CallbackSteps.DeliveriesWhenAsync(ifpi.Http, caseId, d => d.Count == 1 && d[0].Status == CallbackDeliveryStatus.Delivered, "delivered");

        var deliveries = await Intelx.RunAsync([.. Intelx.Against(server, "ifpi"), "webhook", "deliveries", "--status", "delivered"]);
        var deliveryId = server.WithDb(db => db.CallbackDeliveries.Single(d => d.CaseId == caseId).Id);
        var redeliver = await Intelx.RunAsync([.. Intelx.Against(server, "ifpi"), "webhook", "redeliver", deliveryId.ToString()]);
        var stranger = await Intelx.RunAsync([.. Intelx.Against(server, "es-mcd"), "webhook", "redeliver", deliveryId.ToString()]);
        var again = await CallbackSteps.VerifiedWhenAsync(receiver, caseId, 2, "the redelivered callback");

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains($"Webhook {receiver.Url}", shown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, shown.Output, StringComparison.Ordinal);
        Assert.True(deliveries.ExitCode == 0, deliveries.ToString());
        Assert.Contains($"{deliveryId}  case {caseId} #2  delivered  1 attempt(s), last HTTP 200  delivered ", deliveries.Output, StringComparison.Ordinal);
        Assert.True(redeliver.ExitCode == 0, redeliver.ToString());
        Assert.StartsWith($"Scheduled: {deliveryId}  case {caseId} #2  pending", redeliver.Output, StringComparison.Ordinal);
        Assert.Equal([2, 2], again.Select(c => c.Sequence));
        Assert.True(stranger.ExitCode == 1, stranger.ToString());
        Assert.Contains("(404 not-found)", stranger.Error, StringComparison.Ordinal);
    }
}
