using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Agency;
using RabbitMQ.Client;

namespace IntelExchange.Api.Tests.Infrastructure.Messaging;

public sealed class ErrorQueueRedriveTests
{
    [Fact]
    public async Task A_report_the_agency_kept_failing_on_lands_in_error_and_is_handled_once_after_redrive()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        using var server = ExchangeServer.Postgres("redrive", vhost.ExchangeSettings());
        using var ifpi = new Partner(server, "ifpi");

        indecopi.Received.FailReports = true;
        await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        await RabbitMqDeliveryTests.WaitUntilAsync(async () => await vhost.QueueDepthAsync("intelx.agency.indecopi_error") == 1, TimeSpan.FromSeconds(15));
        Assert.Equal(2, indecopi.Received.FailedAttempts); // the first try and one retry (RetryIntervals has one entry)
        Assert.Empty(indecopi.Received.Reports);

        indecopi.Received.FailReports = false;
        var factory = new ConnectionFactory { HostName = vhost.Host, Port = vhost.Port, VirtualHost = vhost.Name, UserName = vhost.Username, Password = vhost.Password };
        var moved = await ErrorQueueRedriver.RedriveAsync(factory, "indecopi");

        Assert.Equal(1, moved);
        Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(0, await vhost.QueueDepthAsync("intelx.agency.indecopi_error"));
        await Task.Delay(300);
        Assert.Single(indecopi.Received.Reports);
    }
}
