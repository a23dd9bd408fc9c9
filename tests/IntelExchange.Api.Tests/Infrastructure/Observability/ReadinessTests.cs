using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using Npgsql;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Infrastructure.Observability;

/// <summary><c>/health/ready</c> (ops listener) answers 200 only while the database and, on RabbitMQ, the broker are usable.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Is_ready_with_the_database_and_the_broker_both_checked()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        var settings = vhost.ExchangeSettings();
        using var server = ExchangeServer.Postgres("ready", settings);

        var (status, checks) = await EventuallyAsync(() => ReadyAsync(server), r => r.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20), "readiness");

        Assert.Equal("Healthy", checks["database"]);
        Assert.Equal("Healthy", checks["masstransit-bus"]);
        Assert.Equal("Healthy", checks["outbox"]);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Is_not_ready_while_the_broker_cannot_be_reached()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "rabbitmq",
            ["Messaging:RabbitMq:Uri"] = $"amqp://intelx:intelx@127.0.0.1:{ClosedLoopbackPort()}/intelx-test",
        };
        using var server = new ExchangeServer(settings);

        var (status, checks) = await ReadyAsync(server);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (later, laterChecks) = await ReadyAsync(server);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, later);
        Assert.NotEqual("Healthy", checks["masstransit-bus"]);
        Assert.NotEqual("Healthy", laterChecks["masstransit-bus"]);
        Assert.Equal("Healthy", laterChecks["database"]);
        using var ops = new HttpClient { BaseAddress = server.OpsAddress };
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Is_not_ready_once_its_database_is_gone()
    {
        var connectionString = TestServices.PostgresDatabase("gone");
        using var server = new ExchangeServer(new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = "postgres",
            ["ConnectionStrings:IntelExchange"] = connectionString,
        });
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(server)).Status);

        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using (var admin = new NpgsqlConnection(TestServices.PostgresConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        var (status, checks) = await ReadyAsync(server);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", checks["database"]);
    }

    private static async Task<(HttpStatusCode Status, Dictionary<string, string> Checks)> ReadyAsync(ExchangeServer server)
    {
        using var ops = new HttpClient { BaseAddress = server.OpsAddress };
        using var response = await ops.GetAsync("/health/ready");
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var checks = report.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!);
        return (response.StatusCode, checks);
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
