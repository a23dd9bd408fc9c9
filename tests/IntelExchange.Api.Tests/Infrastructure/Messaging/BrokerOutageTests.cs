using System.Net;
using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Infrastructure.Messaging;

[Collection(ServiceFaultsCollection.Name)]
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task Intake_continues_while_the_broker_is_down_and_the_backlog_drains_without_loss_or_duplicates()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        var settings = vhost.ExchangeSettings();
        settings["Messaging:SendTimeoutSeconds"] = "3";
        using var server = ExchangeServer.Postgres("outage", settings);
        using var ifpi = new Partner(server, "ifpi");

        var accepted = 0;
        for (var i = 0; i < 10; i++)
        {
            accepted += (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))).StatusCode == HttpStatusCode.Accepted ? 1 : 0;
        }
        Assert.True(await indecopi.Received.WaitForReportsAsync(10, TimeSpan.FromSeconds(10)));

        await ServiceFaults.StopBrokerAsync();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                accepted += (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))).StatusCode == HttpStatusCode.Accepted ? 1 : 0;
            }
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        finally
        {
            await ServiceFaults.StartBrokerAsync();
        }

        Assert.Equal(20, accepted);
        Assert.True(await indecopi.Received.WaitForReportsAsync(20, TimeSpan.FromSeconds(60)),
            $"only {indecopi.Received.Reports.Count} of 20 delivered after the broker came back");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var delivered = indecopi.Received.Reports.Select(r => r.ReportId).ToList();
        Assert.Equal(20, delivered.Count);
        Assert.Equal(20, delivered.Distinct().Count());
        Assert.Equal(0, server.WithDb(db => db.OutboxMessages.Count(m => m.SentAt == null)));
    }
}
