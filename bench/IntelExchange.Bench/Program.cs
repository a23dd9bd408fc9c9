using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using IntelExchange.Bench;
using IntelExchange.Client.Agency;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Side-by-side figures for one exchange process on PostgreSQL (fsync on) and RabbitMQ, one client process.
// Usage: dotnet IntelExchange.Bench.dll <path to IntelExchange.Api.dll> [seconds per phase] [workers]
var apiDll = args.Length > 0 ? args[0] : throw new ArgumentException("Pass the path of IntelExchange.Api.dll.");
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var workers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
var postgres = Environment.GetEnvironmentVariable("INTELX_TEST_POSTGRES") ?? throw new InvalidOperationException("INTELX_TEST_POSTGRES is not set (run bench/run.sh).");
var rabbit = new Uri(Environment.GetEnvironmentVariable("INTELX_TEST_RABBITMQ") ?? throw new InvalidOperationException("INTELX_TEST_RABBITMQ is not set."));
var management = Environment.GetEnvironmentVariable("INTELX_TEST_RABBITMQ_MANAGEMENT") ?? "http://127.0.0.1:15672";

var runId = Guid.NewGuid().ToString("N")[..8];
var vhost = $"intelx-bench-{runId}";
var (user, password) = (Uri.UnescapeDataString(rabbit.UserInfo.Split(':')[0]), Uri.UnescapeDataString(rabbit.UserInfo.Split(':')[1]));
using var rabbitAdmin = new HttpClient { BaseAddress = new Uri(management) };
rabbitAdmin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
(await rabbitAdmin.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
(await rabbitAdmin.PutAsJsonAsync($"/api/permissions/{vhost}/{user}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
var database = $"intelx_bench_{runId}";
var connectionString = postgres.Contains("Database=", StringComparison.OrdinalIgnoreCase)
    ? System.Text.RegularExpressions.Regex.Replace(postgres, "Database=[^;]*", "Database=" + database)
    : postgres + ";Database=" + database;

Console.WriteLine($"IntelExchange benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {seconds} s per phase, {workers} workers");
Console.WriteLine($"command: dotnet {Path.GetFileName(Environment.ProcessPath)} {string.Join(' ', args)}");
using var exchange = await ExchangeProcess.StartAsync(apiDll, new Dictionary<string, string>
{
    ["Persistence__Provider"] = "postgres",
    ["ConnectionStrings__IntelExchange"] = connectionString,
    ["Messaging__Transport"] = "rabbitmq",
    ["Messaging__RabbitMq__Uri"] = $"amqp://{user}:{password}@{rabbit.Host}:{rabbit.Port}/{vhost}",
    // (d) sends callbacks to a receiver in this process, on loopback over plain HTTP
    ["Callbacks__AllowedHosts"] = "127.0.0.1",
    ["Callbacks__AllowInsecureHttp"] = "true",
    // The bench measures the exchange's capacity, not one tenant's share of it: no rate limit or daily quota in the way.
    ["RateLimits__TokenLimit"] = "1000000",
    ["RateLimits__TokensPerPeriod"] = "1000000",
    ["Quotas__DailyTargets"] = "1000000000",
}, partnerPort: 7443, opsPort: 7081);
Console.WriteLine($"first start (creates the database, dev PKI, migrations): ready after {exchange.ReadyAfter.TotalMilliseconds:F0} ms");

var received = new ConcurrentDictionary<string, long>();
var sharedCases = new ConcurrentDictionary<string, Guid>();
var agencyHost = Host.CreateApplicationBuilder();
agencyHost.Logging.SetMinimumLevel(LogLevel.Warning);
agencyHost.Services.AddSingleton(received);
agencyHost.Services.AddSingleton(sharedCases);
agencyHost.Services.AddIntelExchangeAgencySubscriber<TimingHandler>(new AgencySubscriberOptions
{
    AgencyId = "indecopi",
    BrokerUri = new Uri($"rabbitmq://{rabbit.Host}:{rabbit.Port}/{vhost}"),
    Username = user,
    Password = password,
    InboxPath = Path.Combine(exchange.DataPath, "bench-inbox.db"),
});
using var agency = agencyHost.Build();
await agency.StartAsync();

using var ifpi = exchange.ClientFor("ifpi", workers);
using var signingKey = ECDsa.Create();
signingKey.ImportFromPem(File.ReadAllText(Path.Combine(exchange.DevPki, "ifpi", "signing.key")));
var kid = File.ReadAllText(Path.Combine(exchange.DevPki, "ifpi", "signing.kid")).Trim();
var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "report.json"));

Signed Sign(string externalId, string? targets = null)
{
    var json = template.Replace("$EXTERNAL_ID", externalId, StringComparison.Ordinal);
    if (targets is not null)
    {
        json = System.Text.RegularExpressions.Regex.Replace(json, "\"targets\": \\[[^\\]]*\\]", "\"targets\": " + targets);
    }
    var body = Encoding.UTF8.GetBytes(json);
    return new Signed(externalId, body, DetachedJws.Sign(body, signingKey, kid, "ifpi"));
}

async Task<HttpStatusCode> Submit(Signed report)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = new ByteArrayContent(report.Body) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    request.Headers.Add("X-JWS-Signature", report.Jws);
    request.Headers.Add("Idempotency-Key", report.ExternalId);
    using var response = await ifpi.SendAsync(request);
    return response.StatusCode;
}

// The submitter's callback receiver listens for the whole run, so the warm-up exercises callbacks too.
await using var receiver = await CallbackReceiver.StartAsync(port: 7090);
(await ifpi.PutAsJsonAsync("/v1/partners/me/webhook", new { url = receiver.Url })).EnsureSuccessStatusCode();
using var indecopi = exchange.ClientFor("indecopi", workers);

async Task<HttpStatusCode> Move(Guid caseId, string status)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/cases/{caseId}/status") { Content = JsonContent.Create(new { status }) };
    request.Headers.Add("Idempotency-Key", $"{status}-{caseId}");
    using var response = await indecopi.SendAsync(request);
    return response.StatusCode;
}

// Warm-up: every path the phases take (intake, delivery, case moves, callbacks) runs until the JIT has compiled it,
// with connection pools, PostgreSQL plans and broker channels in use. Then ANALYZE, as autovacuum does on a database
// in service: the run's tables grow from empty faster than autovacuum's one-minute nap.
for (var i = 0; i < 300; i++)
{
    await ifpi.GetAsync("/v1/partners/me");
}
var warmReports = Enumerable.Range(0, 1000).Select(i => Sign($"warm-{runId}-{i}")).ToList();
await Parallel.ForEachAsync(warmReports, new ParallelOptions { MaxDegreeOfParallelism = workers }, async (report, _) => await Submit(report));
var warmDeadline = DateTime.UtcNow.AddSeconds(30);
while (warmReports.Any(r => !sharedCases.ContainsKey(r.ExternalId)) && DateTime.UtcNow < warmDeadline)
{
    await Task.Delay(100);
}
var warmCases = warmReports.Where(r => sharedCases.ContainsKey(r.ExternalId)).Select(r => sharedCases[r.ExternalId]).ToList();
await Parallel.ForEachAsync(warmCases.Take(500), new ParallelOptions { MaxDegreeOfParallelism = workers }, async (caseId, _) => await Move(caseId, "under_review"));
await using (var analyze = new Npgsql.NpgsqlConnection(connectionString))
{
    await analyze.OpenAsync();
    await using var command = new Npgsql.NpgsqlCommand("ANALYZE", analyze);
    await command.ExecuteNonQueryAsync();
}
Console.WriteLine($"warm-up: {warmReports.Count} reports, {Math.Min(500, warmCases.Count)} case moves with callbacks, then ANALYZE; exchange RSS {exchange.RssMb:F0} MB (peak {exchange.PeakRssMb:F0})");

var meter = CpuMeter.Start(exchange.Pid);
var bare = await ClosedLoop.RunAsync("(a) GET /v1/partners/me over mTLS", workers, TimeSpan.FromSeconds(seconds),
    async _ => (await ifpi.GetAsync("/v1/partners/me")).StatusCode == HttpStatusCode.OK);

meter.Print("CPU per request", bare.Throughput * seconds, TimeSpan.FromSeconds(seconds));
var presigned = new ConcurrentQueue<Signed>(Enumerable.Range(0, Math.Max(20_000, (int)(bare.Throughput * seconds * 1.2))).Select(i => Sign($"b-{runId}-{i}")));
meter = CpuMeter.Start(exchange.Pid);
var intake = await ClosedLoop.RunAsync("(b) POST /v1/reports, signed, pre-signed bodies", workers, TimeSpan.FromSeconds(seconds),
    async _ => presigned.TryDequeue(out var report) && await Submit(report) == HttpStatusCode.Accepted);
meter.Print("CPU per request", intake.Throughput * seconds, TimeSpan.FromSeconds(seconds));
Console.WriteLine($"    ratio (b)/(a) = {intake.Throughput / bare.Throughput:F2}  (target >= 0.5); exchange RSS {exchange.RssMb:F0} MB (peak {exchange.PeakRssMb:F0})");

var rate = Math.Max(1, intake.Throughput / 2);
var steadyReports = Enumerable.Range(0, (int)(rate * seconds)).Select(i => Sign($"c-{runId}-{i}")).ToList();
var sentAt = new ConcurrentDictionary<string, long>();
var steady = await OpenLoop.RunAsync($"(b) POST /v1/reports at half the maximum rate ({rate:F0}/s)", rate, steadyReports, async report =>
{
    sentAt[report.ExternalId] = Stopwatch.GetTimestamp();
    return await Submit(report) == HttpStatusCode.Accepted;
});
Console.WriteLine($"    intake p99 at half rate = {steady.P99:F1} ms (target < 50 ms)");

var deadline = DateTime.UtcNow.AddSeconds(30);
while (steadyReports.Any(r => !received.ContainsKey(r.ExternalId)) && DateTime.UtcNow < deadline)
{
    await Task.Delay(100);
}
var endToEnd = steadyReports.Where(r => received.ContainsKey(r.ExternalId))
    .Select(r => Stopwatch.GetElapsedTime(sentAt[r.ExternalId], received[r.ExternalId]).TotalMilliseconds).ToList();
Latency.Print("(c) POST sent -> agency consumer received", endToEnd, steadyReports.Count - endToEnd.Count);
Console.WriteLine($"    (c) p99 = {Latency.Percentile(endToEnd, 0.99):F1} ms (target < 100 ms)");

// (d) the agency moves a case; the submitter's callback receiver gets the signed callback
{
    var moves = steadyReports.Where(r => sharedCases.ContainsKey(r.ExternalId)).Select(r => sharedCases[r.ExternalId]).ToList();
    var movedAt = new ConcurrentDictionary<Guid, long>();
    meter = CpuMeter.Start(exchange.Pid);
    var moving = Stopwatch.StartNew();
    await OpenLoop.RunAsync($"(d) POST /v1/cases/{{id}}/status at {rate:F0}/s", rate, moves, async caseId =>
    {
        movedAt[caseId] = Stopwatch.GetTimestamp();
        return await Move(caseId, "under_review") == HttpStatusCode.OK;
    });
    var callbackDeadline = DateTime.UtcNow.AddSeconds(30);
    while (moves.Any(id => !receiver.Received.ContainsKey(id)) && DateTime.UtcNow < callbackDeadline)
    {
        await Task.Delay(100);
    }
    meter.Print("CPU per move, with its delivery and callback", moves.Count, moving.Elapsed);
    var callbacks = moves.Where(receiver.Received.ContainsKey)
        .Select(id => Stopwatch.GetElapsedTime(movedAt[id], receiver.Received[id]).TotalMilliseconds).ToList();
    Latency.Print("(d) status change sent -> callback received", callbacks, moves.Count - callbacks.Count);
    Console.WriteLine($"    (d) p99 = {Latency.Percentile(callbacks, 0.99):F1} ms (target < 250 ms); exchange RSS {exchange.RssMb:F0} MB (peak {exchange.PeakRssMb:F0})");
}

var thousandTargets = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(i => $"{{\"type\":\"domain\",\"value\":\"site{i}.ripper.example\"}}")) + "]";
var big = new List<double>();
for (var i = 0; i < 10; i++)
{
    var report = Sign($"big-{runId}-{i}", thousandTargets);
    var started = Stopwatch.GetTimestamp();
    var status = await Submit(report);
    big.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    if (status != HttpStatusCode.Accepted)
    {
        Console.WriteLine($"    1,000-target report refused: {status}");
    }
}
Latency.Print("1,000-target report (" + Sign("size", thousandTargets).Body.Length / 1024 + " KiB) accepted", big, 0);
Console.WriteLine($"peak RSS of the exchange: {exchange.PeakRssMb:F0} MB (target < 300 MB)");

if (int.TryParse(Environment.GetEnvironmentVariable("BENCH_PAUSE_BEFORE_RESTART"), out var pause))
{
    // For diagnostics (a heap dump, smaps) of the exchange as the phases left it.
    Console.WriteLine($"pausing {pause} s before the restart; exchange pid {exchange.Pid}");
    await Task.Delay(TimeSpan.FromSeconds(pause));
}
exchange.Stop();
using var restarted = await ExchangeProcess.StartAsync(apiDll, new Dictionary<string, string>
{
    ["Persistence__Provider"] = "postgres",
    ["ConnectionStrings__IntelExchange"] = connectionString,
    ["Messaging__Transport"] = "rabbitmq",
    ["Messaging__RabbitMq__Uri"] = $"amqp://{user}:{password}@{rabbit.Host}:{rabbit.Port}/{vhost}",
}, partnerPort: 7443, opsPort: 7081, dataPath: exchange.DataPath);
Console.WriteLine($"restart on an existing database: ready after {restarted.ReadyAfter.TotalMilliseconds:F0} ms (target < 2000 ms)");

await agency.StopAsync();
await rabbitAdmin.DeleteAsync($"/api/vhosts/{vhost}");

internal sealed record Signed(string ExternalId, byte[] Body, string Jws);

internal sealed class TimingHandler(ConcurrentDictionary<string, long> received, ConcurrentDictionary<string, Guid> cases) : IIntelHandler
{
    public Task OnReportShared(ReportShared message, CancellationToken cancellationToken)
    {
        received.TryAdd(message.Report.ExternalId, Stopwatch.GetTimestamp());
        cases.TryAdd(message.Report.ExternalId, message.CaseId);
        return Task.CompletedTask;
    }
}
