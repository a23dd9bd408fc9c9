using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Http;
using Npgsql;
using Xunit.Abstractions;

namespace IntelExchange.Api.Tests.Resilience;

/// <summary>
/// Faults a production exchange meets, on real PostgreSQL (fsync on) and RabbitMQ: the process killed with SIGKILL in
/// the middle of a stream of submissions, the broker down for 30 s, the database down. Each prints accepted,
/// delivered, lost and duplicates; lost and duplicates must be 0.
/// </summary>
[Collection(ServiceFaultsCollection.Name)]
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_SIGKILL_during_a_stream_of_submissions_loses_no_accepted_report_and_the_handler_sees_each_once()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        var database = "kill" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = TestServices.PostgresDatabase(database);
        var dataPath = Path.Combine(Path.GetTempPath(), "intelx-kill", Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>
        {
            ["Persistence__Provider"] = "postgres",
            ["ConnectionStrings__IntelExchange"] = connectionString,
        };
        foreach (var (key, value) in vhost.ExchangeSettings())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        }

        var accepted = new HashSet<Guid>();
        using var first = await ExchangeProcess.StartAsync(dataPath, environment);
        try
        {
            using var ifpi = SdkClientFor(first, "ifpi");
            for (var i = 0; i < 30; i++)
            {
                accepted.Add((await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId);
            }
            // In flight when the process dies: some may commit without their answer reaching us, which is allowed.
            var inFlight = Enumerable.Range(0, 8).Select(_ => TrySubmitAsync(ifpi)).ToList();
            await Task.Delay(15);
            first.Kill();
            foreach (var reportId in await Task.WhenAll(inFlight))
            {
                if (reportId is { } id)
                {
                    accepted.Add(id);
                }
            }
        }
        finally
        {
            first.Kill();
        }

        using var second = await ExchangeProcess.StartAsync(dataPath, environment);
        using (var ifpi = SdkClientFor(second, "ifpi"))
        {
            for (var i = 0; i < 20; i++)
            {
                accepted.Add((await ifpi.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId);
            }
        }
        var stored = await StoredReportIdsAsync(connectionString);
        await indecopi.Received.WaitForReportsAsync(stored.Count, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1));

        var delivered = indecopi.Received.Reports.Select(r => r.ReportId).ToList();
        var figures = Print("kill -9 during submissions", accepted, delivered);
        Assert.True(accepted.Count >= 50, $"only {accepted.Count} accepted");
        Assert.Superset(accepted, stored.ToHashSet());
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.Duplicates);
        Assert.Equal(stored.Order(), delivered.Order());
    }

    [Fact]
    public async Task Intake_goes_on_through_a_30_second_broker_outage_and_the_backlog_drains_without_loss_or_duplicates()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        var settings = vhost.ExchangeSettings();
        settings["Messaging:SendTimeoutSeconds"] = "3";
        using var server = ExchangeServer.Postgres("outage30", settings);
        using var ifpi = new Partner(server, "ifpi");
        var accepted = new HashSet<Guid>();

        await ServiceFaults.StopBrokerAsync();
        var down = Stopwatch.StartNew();
        try
        {
            while (down.Elapsed < TimeSpan.FromSeconds(30))
            {
                using var response = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                accepted.Add(Guid.Parse(response.Headers.Location!.OriginalString.Split('/')[^1]));
                await Task.Delay(250);
            }
        }
        finally
        {
            await ServiceFaults.StartBrokerAsync();
        }

        await indecopi.Received.WaitForReportsAsync(accepted.Count, TimeSpan.FromSeconds(90));
        await Task.Delay(TimeSpan.FromSeconds(1));
        var figures = Print("RabbitMQ down for 30 s", accepted, indecopi.Received.Reports.Select(r => r.ReportId).ToList());
        Assert.InRange(accepted.Count, 60, int.MaxValue);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.Duplicates);
        Assert.Equal(0, server.WithDb(db => db.OutboxMessages.Count(m => m.SentAt == null)));
    }

    [Fact]
    public async Task With_the_database_down_intake_answers_503_with_retry_after_and_never_202_then_recovers()
    {
        using var server = ExchangeServer.Postgres("pgdown");
        using var ifpi = new Partner(server, "ifpi");
        using (var before = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json())))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        var answers = new List<HttpResponseMessage>();
        await ServiceFaults.StopPostgresAsync();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                answers.Add(await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json())));
            }
        }
        finally
        {
            await ServiceFaults.StartPostgresAsync();
        }

        foreach (var answer in answers)
        {
            await ProblemAssert.IsProblemAsync(answer, Problems.ServiceUnavailable);
            Assert.True(answer.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without a Retry-After");
            answer.Dispose();
        }
        var recovered = await EventuallyAcceptedAsync(ifpi);
        output.WriteLine($"PostgreSQL down: 5 submissions, {answers.Count(a => a.StatusCode == HttpStatusCode.ServiceUnavailable)} answered 503, 0 answered 202; "
                         + $"first 202 after restart in {recovered.TotalMilliseconds:0} ms");
        Assert.Equal(2, server.WithDb(db => db.Reports.Count()));
    }

    private (int Lost, int Duplicates) Print(string scenario, IReadOnlyCollection<Guid> accepted, IReadOnlyList<Guid> delivered)
    {
        var lost = accepted.Count(id => !delivered.Contains(id));
        var duplicates = delivered.Count - delivered.Distinct().Count();
        output.WriteLine($"{scenario}: accepted {accepted.Count}, delivered {delivered.Distinct().Count()}, lost {lost}, duplicates seen by the handler {duplicates}");
        return (lost, duplicates);
    }

    private static async Task<TimeSpan> EventuallyAcceptedAsync(Partner partner)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            using var response = await partner.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return clock.Elapsed;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            await Task.Delay(200);
        }
        throw new TimeoutException("intake did not recover within 30 s of PostgreSQL coming back");
    }

    private static async Task<Guid?> TrySubmitAsync(IntelExchangeClient client)
    {
        try
        {
            return (await client.SubmitReportAsync(SdkClients.Report())).Accepted.ReportId;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException)
        {
            return null;
        }
    }

    private static async Task<List<Guid>> StoredReportIdsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"Id\" FROM \"Reports\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    private static IntelExchangeClient SdkClientFor(ExchangeProcess exchange, string tenant) =>
        new(SdkClients.Options(exchange.PartnerAddress, exchange.DevPki, tenant, maxRetries: 1, attemptTimeout: TimeSpan.FromSeconds(10)));

    /// <summary>The exchange as its own OS process (the API's build output), so it can be killed with SIGKILL.</summary>
    private sealed class ExchangeProcess : IDisposable
    {
        private readonly Process _process;

        private ExchangeProcess(Process process, string dataPath, int partnerPort)
        {
            _process = process;
            DevPki = Path.Combine(dataPath, "dev-pki");
            PartnerAddress = new Uri($"https://127.0.0.1:{partnerPort}");
        }

        public string DevPki { get; }
        public Uri PartnerAddress { get; }

        public static async Task<ExchangeProcess> StartAsync(string dataPath, IReadOnlyDictionary<string, string> environment)
        {
            var (partnerPort, opsPort) = (FreePort(), FreePort());
            var apiDll = Path.Combine(AppContext.BaseDirectory, "IntelExchange.Api.dll");
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [apiDll])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.Environment["INTELX_DATA"] = dataPath;
            start.Environment["Listeners__Partner"] = $"https://127.0.0.1:{partnerPort}";
            start.Environment["Listeners__Ops"] = $"http://127.0.0.1:{opsPort}";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
            var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            using var ops = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                try
                {
                    using var ready = await ops.GetAsync($"http://127.0.0.1:{opsPort}/health/ready");
                    if (ready.IsSuccessStatusCode)
                    {
                        return new ExchangeProcess(process, dataPath, partnerPort);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // not listening yet
                }
                await Task.Delay(50);
            }
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The exchange process did not become ready within 60 s.");
        }

        /// <summary>SIGKILL: no graceful stop, no flush; what was committed is all that survives.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
