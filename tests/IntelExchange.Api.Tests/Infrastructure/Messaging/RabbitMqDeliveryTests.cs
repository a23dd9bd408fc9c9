using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Tests.Infrastructure.Messaging;

/// <summary>Delivery to agencies over the real RabbitMQ and PostgreSQL started by deploy/test.sh.</summary>
public sealed class RabbitMqDeliveryTests
{
    [Fact]
    public async Task A_submitted_report_reaches_the_recipient_agency_within_a_second_and_never_another_agency()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        await using var esMcd = await AgencySubscriber.StartAsync(vhost, "es-mcd");
        using var server = ExchangeServer.Postgres("delivery", vhost.ExchangeSettings());
        using var ifpi = new Partner(server, "ifpi");

        var stopwatch = Stopwatch.StartNew();
        var response = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: "[\"indecopi\"]")));
        var accepted = await response.Content.ReadFromJsonAsync<ReportAccepted>();
        Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(1)), $"not delivered within 1 s ({stopwatch.ElapsedMilliseconds} ms)");

        var shared = Assert.Single(indecopi.Received.Reports);
        Assert.Equal(accepted!.ReportId, shared.ReportId);
        Assert.Equal(accepted.Cases[0].CaseId, shared.CaseId);
        Assert.Equal("ifpi", shared.Submitter);
        Assert.Equal(accepted.BodySha256, shared.BodySha256);
        await Task.Delay(300);
        Assert.Empty(esMcd.Received.Reports);
    }

    [Fact]
    public async Task A_report_shared_with_two_agencies_reaches_each_once()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        await using var esMcd = await AgencySubscriber.StartAsync(vhost, "es-mcd");
        using var server = ExchangeServer.Postgres("delivery2", vhost.ExchangeSettings());
        using var ifpi = new Partner(server, "ifpi");

        var response = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: "[\"indecopi\", \"es-mcd\"]")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(5)));
        Assert.True(await esMcd.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(5)));
        await Task.Delay(300);
        Assert.Equal("indecopi", Assert.Single(indecopi.Received.Reports).Agency);
        Assert.Equal("es-mcd", Assert.Single(esMcd.Received.Reports).Agency);
    }

    [Fact]
    public async Task A_report_shared_before_the_agency_ever_connected_waits_in_its_queue()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        using var server = ExchangeServer.Postgres("early", vhost.ExchangeSettings());
        using var ifpi = new Partner(server, "ifpi");
        await WaitUntilAsync(async () => await vhost.QueueDepthAsync("intelx.agency.indecopi") is not null, TimeSpan.FromSeconds(10));

        await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        await WaitUntilAsync(async () => await vhost.QueueDepthAsync("intelx.agency.indecopi") == 1, TimeSpan.FromSeconds(10));
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");

        Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Rows_committed_by_an_instance_that_died_before_sending_are_sent_after_restart()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        var settings = vhost.ExchangeSettings();
        settings["Persistence:Provider"] = "postgres";
        settings["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("restart");
        var dataPath = Path.Combine(Path.GetTempPath(), "intelx-tests", Guid.NewGuid().ToString("N"));

        // The first instance commits but never sends: the same state as a kill -9 between commit and publish.
        settings["Outbox:DispatchEnabled"] = "false";
        using (var dying = new ExchangeServer(settings, dataPath))
        {
            using var ifpi = new Partner(dying, "ifpi");
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.Accepted, (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))).StatusCode);
            }
            Assert.Equal(5, dying.WithDb(db => db.OutboxMessages.Count(m => m.SentAt == null)));
        }

        settings["Outbox:DispatchEnabled"] = "true";
        using var restarted = new ExchangeServer(settings, dataPath);

        Assert.True(await indecopi.Received.WaitForReportsAsync(5, TimeSpan.FromSeconds(10)));
        Assert.Equal(5, indecopi.Received.Reports.Select(r => r.ReportId).Distinct().Count());
    }

    [Fact]
    public async Task A_message_sent_again_with_the_same_message_id_is_dropped_by_the_agency_inbox()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        using var server = ExchangeServer.Postgres("inbox", vhost.ExchangeSettings());
        using var ifpi = new Partner(server, "ifpi");
        await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(5)));

        // As if the instance crashed after the broker confirmed but before the row was marked sent.
        server.WithDb(db => db.OutboxMessages.ExecuteUpdate(s => s.SetProperty(m => m.SentAt, (DateTimeOffset?)null)));
        await WaitUntilAsync(() => Task.FromResult(server.WithDb(db => db.OutboxMessages.All(m => m.SentAt != null && m.Attempts == 2))),
            TimeSpan.FromSeconds(10));
        await Task.Delay(500);

        Assert.Single(indecopi.Received.Reports);
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
