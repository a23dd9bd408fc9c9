using System.Diagnostics;
using IntelExchange.Api.Tests.Support;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace IntelExchange.Api.Tests.Infrastructure.Messaging;

/// <summary>deploy/provision-rabbitmq.sh gives each agency a broker user that can read only its own queue.</summary>
public sealed class AgencyIsolationTests
{
    [Fact]
    public async Task Each_agency_user_receives_its_own_reports_and_cannot_read_another_agencys_queue()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await ProvisionAsync(vhost.Name, ("indecopi", "indecopi-secret"), ("es-mcd", "es-mcd-secret"));
        var settings = vhost.ExchangeSettings();
        using var server = ExchangeServer.Postgres("isolation", settings);
        await RabbitMqDeliveryTests.WaitUntilAsync(async () => await vhost.QueueDepthAsync("intelx.agency.indecopi") is not null, TimeSpan.FromSeconds(10));

        await using var indecopi = await AgencySubscriber.StartAsync(vhost.As("agency-indecopi", "indecopi-secret"), "indecopi");
        using var ifpi = new Partner(server, "ifpi");
        await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(10)));

        var factory = new ConnectionFactory
        {
            HostName = vhost.Host, Port = vhost.Port, VirtualHost = vhost.Name, UserName = "agency-es-mcd", Password = "es-mcd-secret",
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => channel.BasicGetAsync("intelx.agency.indecopi", autoAck: true));
        Assert.Equal((ushort)403, refused.ShutdownReason?.ReplyCode);
    }

    private static async Task ProvisionAsync(string vhost, params (string Agency, string Password)[] agencies)
    {
        var script = Path.Combine(ExternalProcess.RepositoryRoot(), "deploy", "provision-rabbitmq.sh");
        var start = new ProcessStartInfo("bash", [script, .. agencies.Select(a => a.Agency)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["VHOST"] = vhost;
        start.Environment["EXCHANGE_USER"] = "intelx";
        start.Environment["RABBITMQ_NODE"] = Environment.GetEnvironmentVariable("INTELX_TEST_RABBITMQ_NODE") ?? "intelx@localhost";
        foreach (var (agency, password) in agencies)
        {
            start.Environment[$"AGENCY_PASSWORD_{agency.ToUpperInvariant().Replace('-', '_')}"] = password;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"provision-rabbitmq.sh failed: {await output} {await errors}");
    }
}
