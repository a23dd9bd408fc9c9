using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using static IntelExchange.Api.Tests.Features.Callbacks.CallbackSteps;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Callbacks;

/// <summary>Callbacks to a real HTTP receiver on loopback that checks every signature itself.</summary>
public sealed class CallbackDeliveryTests
{
    private static readonly string[] EnvelopeMembers = ["type", "timestamp", "data"];
    private static readonly string[] DataMembers =
        ["caseId", "reportId", "externalId", "agency", "status", "previousStatus", "reason", "orderReference", "effectiveUntil", "sequence", "occurredAt"];

    [Fact]
    public async Task Posts_each_case_change_as_a_signed_standard_webhook()
    {
        using var server = new ExchangeServer(LoopbackSettings());
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        await RegisterAsync(ifpi, receiver);
        var accepted = await SubmitAsync(ifpi);
        var caseId = accepted.Cases.Single().CaseId;

        await MoveAsync(indecopi.Http, caseId, Body("under_review", "triage"));
        await MoveAsync(indecopi.Http, caseId, OrderBody());
        var received = await VerifiedWhenAsync(receiver, caseId, 2, "two callbacks");
        var deliveries = await DeliveriesWhenAsync(ifpi.Http, caseId, d => d.Count == 2 && d.All(x => x.Status == CallbackDeliveryStatus.Delivered), "delivered");

        Assert.Equal([2, 3], received.Select(c => c.Sequence));
        Assert.All(received, c => Assert.Equal([0], c.VerifiedBy.Single().Value));
        Assert.All(received, c => Assert.Equal("application/json", c.ContentType));
        Assert.Equal(received.Select(c => "msg_" + deliveries.Single(d => d.Sequence == c.Sequence).Id.ToString("N")), received.Select(c => c.WebhookId));
        Assert.All(received, c => Assert.InRange(long.Parse(c.Timestamp), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

        var order = received[1].Json;
        Assert.Equal(EnvelopeMembers, order.EnumerateObject().Select(p => p.Name));
        Assert.Equal("case.status_changed", order.GetProperty("type").GetString());
        Assert.True(DateTimeOffset.TryParse(order.GetProperty("timestamp").GetString(), out _));
        var data = order.GetProperty("data");
        Assert.Equal(DataMembers, data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(caseId, data.GetProperty("caseId").GetGuid());
        Assert.Equal(accepted.ReportId, data.GetProperty("reportId").GetGuid());
        Assert.StartsWith("IFPI-PE-", data.GetProperty("externalId").GetString());
        Assert.Equal("indecopi", data.GetProperty("agency").GetString());
        Assert.Equal("order_issued", data.GetProperty("status").GetString());
        Assert.Equal("under_review", data.GetProperty("previousStatus").GetString());
        Assert.Equal("Blocking ordered", data.GetProperty("reason").GetString());
        Assert.Equal("Resolución 149-2021/CDA-INDECOPI", data.GetProperty("orderReference").GetString());
        Assert.True(data.GetProperty("effectiveUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(29));
        Assert.Equal(3, data.GetProperty("sequence").GetInt32());
        Assert.Equal(order.GetProperty("timestamp").GetDateTimeOffset(), data.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Creates_no_delivery_for_a_submitter_without_a_webhook()
    {
        using var server = new ExchangeServer(LoopbackSettings());
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        var caseId = await OpenCaseAsync(ifpi);

        await MoveAsync(indecopi.Http, caseId, Body("under_review"));

        Assert.Equal(0, server.WithDb(db => db.CallbackDeliveries.Count()));
    }

    [Fact]
    public async Task Retries_while_the_receiver_is_down_and_then_delivers_each_case_in_sequence_order()
    {
        using var server = new ExchangeServer(LoopbackSettings("00:00:01,00:00:02,00:00:03,00:00:05,00:00:10"));
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver();
        await RegisterAsync(ifpi, receiver);
        var first = await OpenCaseAsync(ifpi);
        var second = await OpenCaseAsync(ifpi);

        foreach (var status in new[] { "under_review", "more_info_requested", "under_review" })
        {
            await MoveAsync(indecopi.Http, first, Body(status));
            await MoveAsync(indecopi.Http, second, Body(status));
        }
        var whileDown = await DeliveriesWhenAsync(ifpi.Http, first, d => d.Count == 3 && d[0].Attempts >= 2, "two failed attempts");
        await receiver.StartAsync();
        await VerifiedWhenAsync(receiver, first, 3, "the first case's callbacks");
        await VerifiedWhenAsync(receiver, second, 3, "the second case's callbacks");
        var afterwards = await DeliveriesWhenAsync(ifpi.Http, first, d => d.All(x => x.Status == CallbackDeliveryStatus.Delivered), "all delivered");

        Assert.Equal("could not connect", whileDown[0].LastError);
        Assert.Null(whileDown[0].LastStatusCode);
        Assert.Equal(CallbackDeliveryStatus.Pending, whileDown[0].Status);
        Assert.All(whileDown.Skip(1), d => Assert.Equal(0, d.Attempts)); // waiting behind sequence 2, never tried
        Assert.Equal([2, 3, 4], receiver.Verified.Where(c => c.CaseId == first).Select(c => c.Sequence));
        Assert.Equal([2, 3, 4], receiver.Verified.Where(c => c.CaseId == second).Select(c => c.Sequence));
        Assert.All(afterwards, d => Assert.NotNull(d.DeliveredAt));
        Assert.Equal([1, 1], afterwards.Skip(1).Select(d => d.Attempts));
    }

    [Fact]
    public async Task Dead_letters_after_the_last_retry_without_blocking_later_changes_and_redelivers_on_request()
    {
        using var server = new ExchangeServer(LoopbackSettings("00:00:01,00:00:01"));
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver { StatusCode = 500, ResponseBody = "stack trace of the receiver" };
        await receiver.StartAsync();
        await RegisterAsync(ifpi, receiver);
        var caseId = await OpenCaseAsync(ifpi);

        await MoveAsync(indecopi.Http, caseId, Body("under_review"));
        var dead = (await DeliveriesWhenAsync(ifpi.Http, caseId, d => d.Count == 1 && d[0].Status == CallbackDeliveryStatus.Dead, "dead-letter"))[0];
        var listing = await ifpi.Http.GetStringAsync("/v1/partners/me/webhook/deliveries");
        var attempts = receiver.Verified.Where(c => c.CaseId == caseId).ToList();
        receiver.StatusCode = 200;
        await MoveAsync(indecopi.Http, caseId, Body("rejected"));
        await VerifiedWhenAsync(receiver, caseId, 4, "the next change, not held up by the dead one");
        var redeliver = await ifpi.Http.PostAsync($"/v1/partners/me/webhook/deliveries/{dead.Id}/redeliver", null);
        await VerifiedWhenAsync(receiver, caseId, 5, "the redelivery");
        var after = await DeliveriesWhenAsync(ifpi.Http, caseId, d => d.All(x => x.Status == CallbackDeliveryStatus.Delivered), "all delivered");

        Assert.Equal(3, dead.Attempts);
        Assert.Equal(500, dead.LastStatusCode);
        Assert.Equal("HTTP 500", dead.LastError);
        Assert.Null(dead.NextAttemptAt);
        Assert.DoesNotContain("stack trace", listing);
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.WebhookId).Distinct());
        Assert.True(long.Parse(attempts[2].Timestamp) > long.Parse(attempts[0].Timestamp), "each attempt carries a fresh timestamp");
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var final = receiver.Verified.Where(c => c.CaseId == caseId).ToList();
        Assert.Equal([2, 2, 2, 3, 2], final.Select(c => c.Sequence));
        Assert.Equal(attempts[0].WebhookId, final[^1].WebhookId);
        Assert.Equal(4, after[0].Attempts);
        Assert.Equal(200, after[0].LastStatusCode);
        Assert.Null(after[0].LastError);
    }

    [Fact]
    public async Task Delivers_callbacks_left_pending_when_the_exchange_restarts()
    {
        var settings = LoopbackSettings("00:00:01,00:00:02,00:00:03,00:00:05,00:00:10,00:00:10");
        var dataPath = Path.Combine(Path.GetTempPath(), "intelx-tests", Guid.NewGuid().ToString("N"));
        await using var receiver = new WebhookReceiver();
        try
        {
            Guid caseId;
            using (var before = new ExchangeServer(settings, dataPath))
            {
                using var ifpi = new Partner(before, "ifpi");
                using var indecopi = new Partner(before, "indecopi");
                await RegisterAsync(ifpi, receiver);
                caseId = await OpenCaseAsync(ifpi);
                await MoveAsync(indecopi.Http, caseId, Body("under_review"));
                await MoveAsync(indecopi.Http, caseId, Body("rejected"));
                await DeliveriesWhenAsync(ifpi.Http, caseId, d => d.Count == 2 && d[0].Attempts >= 1, "a failed attempt before the restart");
            }

            await receiver.StartAsync();
            using var after = new ExchangeServer(settings, dataPath);
            using var ifpiAgain = new Partner(after, "ifpi");
            await VerifiedWhenAsync(receiver, caseId, 2, "the callbacks after the restart");
            var deliveries = await DeliveriesWhenAsync(ifpiAgain.Http, caseId, d => d.All(x => x.Status == CallbackDeliveryStatus.Delivered), "delivered");

            Assert.Equal([2, 3], receiver.Verified.Where(c => c.CaseId == caseId).Select(c => c.Sequence));
            Assert.Equal(2, deliveries.Count);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }
}
