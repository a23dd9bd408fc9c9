using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Deploy;

/// <summary>
/// What docker compose and Kubernetes are given, produced by deploy/make-secrets.sh and used for real: the exchange
/// runs outside the embedded default on those certificates and keys with the bootstrap directory, and the broker
/// accepts the generated definitions and passwords, with each agency confined to its own queue.
/// </summary>
public sealed class DeploymentSecretsTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "intelx-tests", Guid.NewGuid().ToString("N"));

    /// <summary>make-secrets.sh writes the dev PKI's layout, so the test helpers find certificates and keys as usual.</summary>
    private string Pki => Path.Combine(_data, "dev-pki");

    public async Task InitializeAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var result = await RunMakeSecretsAsync(new Dictionary<string, string>
        {
            ["EXCHANGE_USER"] = $"intelx-api-{suffix}",
            ["AGENCY_USER_PREFIX"] = $"agency-{suffix}-",
        });
        Assert.True(result.ExitCode == 0, result.Output);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_exchange_runs_on_the_generated_certificates_keys_and_bootstrap_directory()
    {
        var connectionString = TestServices.PostgresDatabase("secrets");
        using var server = new ExchangeServer(new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = "postgres",
            ["ConnectionStrings:IntelExchange"] = connectionString,
            ["Tls:ServerCertificate"] = Path.Combine(Pki, "server.crt"),
            ["Tls:ServerKey"] = Path.Combine(Pki, "server.key"),
            ["Tls:PartnerCaCertificates"] = Path.Combine(Pki, "ca.crt"),
            ["Signing:ReceiptKey"] = Path.Combine(Pki, "receipt.key"),
        }, _data);
        Assert.False(File.Exists(Path.Combine(_data, "intelx.db")));
        Assert.Equal(0, server.WithDb(db => db.Tenants.Count()));

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var bootstrap = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(Pki, "bootstrap.sql")), connection);
            await bootstrap.ExecuteNonQueryAsync();
        }
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        using var operatorClient = server.ClientFor("operator");
        var me = await EventuallyAsync(() => operatorClient.GetAsync("/v1/partners/me"), r => r.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(5), "the directory to load the bootstrap tenants");

        var response = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<ReportAccepted>())!;
        var jwks = (await ifpi.Http.GetFromJsonAsync<JsonWebKeySet>("/.well-known/jwks.json"))!;
        Assert.Equal(accepted.ReportId, Receipts.Verify(accepted.Receipt, jwks).ReportId);
        Assert.Equal("indecopi", Assert.Single(accepted.Cases).Agency);
        Assert.Equal(HttpStatusCode.OK, (await indecopi.Http.GetAsync($"/v1/reports/{accepted.ReportId}")).StatusCode);
        Assert.Contains("\"operator\"", await me.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_data, "keys")), "no receipt key may be generated outside the dev PKI");

        await using (var again = new NpgsqlConnection(connectionString))
        {
            await again.OpenAsync();
            await using var bootstrap = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(Pki, "bootstrap.sql")), again);
            await bootstrap.ExecuteNonQueryAsync();
        }
        Assert.Equal(4, server.WithDb(db => db.Tenants.Count()));
        Assert.Equal(4, server.WithDb(db => db.ClientCredentials.Count()));
    }

    [Fact]
    public async Task The_broker_takes_the_generated_definitions_and_confines_each_agency_to_its_queue()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        using var management = Management();
        var definitions = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Pki, "rabbitmq-definitions.json")))!.AsObject();
        var passwords = (await File.ReadAllLinesAsync(Path.Combine(Pki, "compose.env")))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#')).ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var users = definitions["users"]!.AsArray().Select(u => u!["name"]!.GetValue<string>()).ToList();
        try
        {
            var scoped = new JsonObject();
            foreach (var part in new[] { "queues", "exchanges", "bindings", "policies" })
            {
                var items = definitions[part]!.DeepClone().AsArray();
                foreach (var item in items)
                {
                    item!["vhost"] = vhost.Name;
                }
                scoped[part] = items;
            }
            (await management.PostAsync($"/api/definitions/{Uri.EscapeDataString(vhost.Name)}",
                new StringContent(scoped.ToJsonString(), Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            foreach (var user in definitions["users"]!.AsArray())
            {
                (await management.PutAsJsonAsync($"/api/users/{Uri.EscapeDataString(user!["name"]!.GetValue<string>())}", new
                {
                    password_hash = user["password_hash"]!.GetValue<string>(),
                    hashing_algorithm = user["hashing_algorithm"]!.GetValue<string>(),
                    tags = "",
                })).EnsureSuccessStatusCode();
            }
            foreach (var permission in definitions["permissions"]!.AsArray())
            {
                (await management.PutAsJsonAsync(
                    $"/api/permissions/{Uri.EscapeDataString(vhost.Name)}/{Uri.EscapeDataString(permission!["user"]!.GetValue<string>())}", new
                    {
                        configure = permission["configure"]!.GetValue<string>(),
                        write = permission["write"]!.GetValue<string>(),
                        read = permission["read"]!.GetValue<string>(),
                    })).EnsureSuccessStatusCode();
            }

            var queue = await EventuallyAsync(
                async () => JsonNode.Parse(await management.GetStringAsync($"/api/queues/{Uri.EscapeDataString(vhost.Name)}/intelx.agency.indecopi"))!,
                q => q["policy"] is not null, TimeSpan.FromSeconds(15), "the policy to apply to the agency queue");
            Assert.Equal("quorum", queue["type"]!.GetValue<string>());
            Assert.Equal("intelx-agency-indecopi", queue["policy"]!.GetValue<string>());

            var apiUser = vhost.As(passwords["INTELX_RABBITMQ_USER"], passwords["INTELX_RABBITMQ_PASSWORD"]);
            var indecopiUser = users.Single(u => u.EndsWith("-indecopi", StringComparison.Ordinal));
            var esMcdUser = users.Single(u => u.EndsWith("-es-mcd", StringComparison.Ordinal));
            await using var indecopi = await AgencySubscriber.StartAsync(vhost.As(indecopiUser, passwords["AGENCY_PASSWORD_INDECOPI"]), "indecopi");
            using var server = ExchangeServer.Postgres("definitions", apiUser.ExchangeSettings());
            using var ifpi = new Partner(server, "ifpi");

            Assert.Equal(HttpStatusCode.Accepted, (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))).StatusCode);
            Assert.True(await indecopi.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(15)), "the agency never received the report");
            var factory = new ConnectionFactory
            {
                HostName = vhost.Host, Port = vhost.Port, VirtualHost = vhost.Name, UserName = esMcdUser, Password = passwords["AGENCY_PASSWORD_ES_MCD"],
            };
            await using var connection = await factory.CreateConnectionAsync();
            await using (var own = await connection.CreateChannelAsync())
            {
                Assert.Null(await own.BasicGetAsync("intelx.agency.es-mcd", autoAck: false));
            }
            await using var foreign = await connection.CreateChannelAsync();
            var refused = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => foreign.BasicGetAsync("intelx.agency.indecopi", autoAck: false));
            Assert.Equal((ushort)403, refused.ShutdownReason?.ReplyCode);
        }
        finally
        {
            foreach (var user in users)
            {
                await management.DeleteAsync($"/api/users/{Uri.EscapeDataString(user)}");
            }
        }
    }

    private async Task<ProcessResult> RunMakeSecretsAsync(Dictionary<string, string> environment)
    {
        var script = Path.Combine(DeployFiles.Root, "make-secrets.sh");
        var arguments = new List<string> { "-c", "export " + string.Join(' ', environment.Select(e => $"{e.Key}='{e.Value}'")) + "; exec bash \"$0\" \"$1\"", script, Pki };
        return await ExternalProcess.RunAsync("bash", arguments, ExternalProcess.RepositoryRoot(), TimeSpan.FromMinutes(2));
    }

    private static HttpClient Management()
    {
        var amqp = new Uri(TestServices.RabbitMq);
        var client = new HttpClient { BaseAddress = new Uri(Environment.GetEnvironmentVariable("INTELX_TEST_RABBITMQ_MANAGEMENT") ?? "http://127.0.0.1:15672") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
        return client;
    }
}
