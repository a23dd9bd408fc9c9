using System.Diagnostics;
using System.Globalization;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Contracts;

// How long checking one 1,000-target report against the protected lists takes, on one core.
// Usage: dotnet IntelExchange.SafeguardsBench.dll [seconds per phase, default 3]
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var shipped = ShippedLists.Load(ShippedLists.DefaultFolder);
var lists = new ProtectedInfrastructure(1, shipped.SelectMany(l => l.Rules));
var report = Report(ReportLimits.MaxTargets, seed: 2026);

Console.WriteLine($"Safeguards benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {seconds} s per phase, one thread");
Console.WriteLine($"lists: {lists.DomainCount} domain suffixes, {lists.RangeCount} CIDR ranges from {shipped.Count} files");
var flagged = report.Targets.Count(t => lists.Check(t).Count > 0);
Console.WriteLine($"report: {report.Targets.Count} targets (domains, URLs, IPv4, IPv6, IPv4-mapped, apps), {flagged} flagged");

Measure("lists only (ProtectedInfrastructure.Check per target)", () =>
{
    var count = 0;
    foreach (var target in report.Targets)
    {
        count += lists.Check(target).Count;
    }
    return count;
});
Measure("intake screening (TargetScreening.Check: flags + identity key per target)", () =>
    TargetScreening.Check(lists, report).Count(t => t.Flags.Count > 0));
var validator = new InfringementReportValidator(TimeProvider.System, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
var small = Report(6, seed: 7);
Measure("validation of a 6-target report, ValidateAsync", () => validator.ValidateAsync(small).GetAwaiter().GetResult().Errors.Count);
Measure("validation of a 6-target report, Validate", () => validator.Validate(small).Errors.Count);
Measure("validation of the 1,000-target report, ValidateAsync", () => validator.ValidateAsync(report).GetAwaiter().GetResult().Errors.Count);
Measure("validation of the 1,000-target report, Validate", () => validator.Validate(report).Errors.Count);
Measure("building the lists from their rules (on every operator change)", () =>
    new ProtectedInfrastructure(2, shipped.SelectMany(l => l.Rules)).RangeCount);

void Measure(string name, Func<int> work)
{
    var warmUp = Stopwatch.StartNew();
    while (warmUp.Elapsed < TimeSpan.FromSeconds(0.5))
    {
        work();
    }
    var times = new List<double>();
    var total = Stopwatch.StartNew();
    var sink = 0;
    while (total.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        var one = Stopwatch.GetTimestamp();
        sink += work();
        times.Add(Stopwatch.GetElapsedTime(one).TotalMicroseconds);
    }
    times.Sort();
    Console.WriteLine(FormattableString.Invariant(
        $"{name}: {times.Count} runs, per report median {times[times.Count / 2]:F0} µs, p99 {times[(int)(times.Count * 0.99)]:F0} µs, min {times[0]:F0} µs (check {sink % 7})"));
}

static InfringementReport Report(int size, int seed)
{
    var random = new Random(seed);
    string[] protectedNames = ["drive.usercontent.google.com", "www.youtube.com", "pirate.github.io", "cdn.cloudflare.com", "x.s3.amazonaws.com"];
    string[] protectedAddresses = ["104.16.12.1", "151.101.1.1", "8.8.8.8", "13.32.7.7", "23.45.6.7"];
    var targets = new List<ReportTarget>(size);
    for (var i = 0; i < size; i++)
    {
        var flag = random.Next(5) == 0;
        var name = flag ? protectedNames[random.Next(protectedNames.Length)] : $"ripper{random.Next(1_000_000)}.sub{i}.example";
        var address = flag ? protectedAddresses[random.Next(protectedAddresses.Length)] : $"45.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}";
        targets.Add((i % 6) switch
        {
            0 => new ReportTarget { Type = TargetType.Domain, Value = name },
            1 => new ReportTarget { Type = TargetType.Url, Value = $"https://{name}/es/youtube-mp3?v={i}" },
            2 => new ReportTarget { Type = TargetType.Ipv4, Value = address },
            3 => new ReportTarget { Type = TargetType.Ipv6, Value = flag ? "2606:4700::6810:" + i.ToString("x", CultureInfo.InvariantCulture) : $"2a0{random.Next(10)}:db8::{i:x}" },
            4 => new ReportTarget { Type = TargetType.Ipv6, Value = "::ffff:" + address },
            _ => new ReportTarget { Type = TargetType.DesktopApp, Name = "Setup", DownloadUrl = $"https://{name}/setup.exe" },
        });
    }
    return new InfringementReport
    {
        ExternalId = "BENCH-1000",
        LegalBasis = new LegalBasis { MouReference = "INDECOPI-IFPI-MOU-2022" },
        Category = ReportCategory.StreamRipping,
        RequestedAction = RequestedAction.Block,
        Tlp = TrafficLightProtocol.Amber,
        ObservedAt = DateTimeOffset.UtcNow,
        Targets = targets,
    };
}
