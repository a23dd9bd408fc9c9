using IntelExchange.Api.Tests.Infrastructure.Messaging;
using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Cli;

/// <summary><c>intelx operator …</c> against the real RabbitMQ started by deploy/test.sh.</summary>
public sealed class OperatorCommandTests
{
    [Fact]
    public async Task Redrive_errors_moves_the_failed_report_back_and_the_agency_handles_it_once()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        using var server = new ExchangeServer(vhost.ExchangeSettings());
        using var ifpi = new Partner(server, "ifpi");
        indecopi.Received.FailReports = true;
        await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        await RabbitMqDeliveryTests.WaitUntilAsync(async () => await vhost.QueueDepthAsync("intelx.agency.indecopi_error") == 1, TimeSpan.FromSeconds(15));
        indecopi.Received.FailReports = false;

        var run = await Intelx.RunAsync("operator", "redrive-errors", "--agency", "indecopi", "--broker", vhost.AmqpUri);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Moved 1 message(s) from intelx.agency.indecopi_error back to intelx.agency.indecopi.", run.Output, StringComparison.Ordinal);
        Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(0, await vhost.QueueDepthAsync("intelx.agency.indecopi_error"));
    }

    [Fact]
    public async Task Redrive_errors_exits_3_when_the_broker_cannot_be_reached_and_2_on_a_bad_uri()
    {
        var unreachable = await Intelx.RunAsync("operator", "redrive-errors", "--agency", "indecopi", "--broker", "amqp://guest:guest@127.0.0.1:1/");
        var badUri = await Intelx.RunAsync("operator", "redrive-errors", "--agency", "indecopi", "--broker", "https://127.0.0.1/");

        Assert.True(unreachable.ExitCode == 3, unreachable.ToString());
        Assert.Contains("cannot reach the broker", unreachable.Error, StringComparison.Ordinal);
        Assert.True(badUri.ExitCode == 2, badUri.ToString());
    }
}
