using System.Diagnostics;
using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Xunit.Abstractions;

namespace IntelExchange.Api.Tests.Cli;

/// <summary>intelx submit on a folder, killed part-way and run again: every report lands exactly once.</summary>
public sealed class BulkSubmitTests(ITestOutputHelper log) : IDisposable
{
    private const int Reports = 500;
    private const int RecordedButForgotten = 25;
    private readonly ExchangeServer _server = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("intelx-bulk-").FullName;

    [Fact]
    public async Task A_bulk_run_killed_part_way_and_run_again_submits_each_report_exactly_once_and_skips_those_recorded()
    {
        var reports = Path.Combine(_folder, "reports");
        Directory.CreateDirectory(reports);
        for (var i = 0; i < Reports; i++)
        {
            File.WriteAllText(Path.Combine(reports, $"report-{i:D4}.json"), SampleReports.Json($"IFPI-BULK-{i:D4}"));
        }
        var statePath = reports + ".intelx-state.jsonl";
        string[] submit = [.. Intelx.Against(_server), "submit", reports, "--concurrency", "8"];

        // First run: killed once a good part is recorded, as a crash or Ctrl+C-less kill would.
        var clock = Stopwatch.StartNew();
        using (var first = Intelx.Start(submit))
        {
            first.StandardInput.Close();
            _ = first.StandardOutput.ReadToEndAsync();
            _ = first.StandardError.ReadToEndAsync();
            while (!first.HasExited && StateLines(statePath).Count < 150 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var firstRunSeconds = clock.Elapsed.TotalSeconds;

        // The last lines never reached the disk: those reports are stored, but the tool does not know it.
        var recorded = StateLines(statePath);
        Assert.InRange(recorded.Count, 150, Reports);
        var kept = recorded.Take(recorded.Count - RecordedButForgotten).ToList();
        File.WriteAllText(statePath, string.Join('\n', kept) + "\n{\"file\":\"report-04");
        var storedBefore = await StoredReportsOnceSettledAsync();
        Assert.True(storedBefore >= recorded.Count, $"{storedBefore} stored, {recorded.Count} recorded");

        clock.Restart();
        var second = await Intelx.RunAsync([.. submit, "--json"]);
        var secondRunSeconds = clock.Elapsed.TotalSeconds;

        Assert.True(second.ExitCode == 0, second.ToString());
        using var summary = JsonDocument.Parse(second.Output);
        var root = summary.RootElement;
        Assert.Equal(Reports, root.GetProperty("total").GetInt32());
        Assert.Equal(kept.Count, root.GetProperty("skipped").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32());
        Assert.True(storedBefore - kept.Count == root.GetProperty("replayed").GetInt32(), $"{storedBefore} stored before, {kept.Count} kept: {second.Output[..300]}");
        Assert.Equal(Reports - storedBefore, root.GetProperty("accepted").GetInt32());

        Assert.Equal(Reports, StoredReports());
        Assert.Equal(Reports, await ListedReportsAsync());
        var finalState = StateLines(statePath).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("file").GetString()).ToHashSet();
        Assert.Equal(Reports, finalState.Count);
        log.WriteLine($"first run {firstRunSeconds:F1} s ({recorded.Count} recorded), second run {secondRunSeconds:F1} s");
    }

    /// <summary>Requests that were in flight when the tool was killed may still commit on the exchange.</summary>
    private async Task<int> StoredReportsOnceSettledAsync()
    {
        var count = StoredReports();
        while (true)
        {
            await Task.Delay(300);
            var again = StoredReports();
            if (again == count)
            {
                return count;
            }
            count = again;
        }
    }

    private int StoredReports() => _server.WithDb(db => db.Reports.Count(r => r.TenantId == "ifpi"));

    /// <summary>Counted as a partner counts: GET /v1/reports, page by page.</summary>
    private async Task<int> ListedReportsAsync()
    {
        using var ifpi = _server.SdkClientFor("ifpi");
        var ids = new HashSet<Guid>();
        string? after = null;
        do
        {
            var page = await ifpi.ListReportsAsync(after: after, limit: 200);
            ids.UnionWith(page.Items.Select(item => item.ReportId));
            after = page.Next;
        }
        while (after is not null);
        return ids.Count;
    }

    /// <summary>Complete lines of the state file (a torn last line is not one).</summary>
    private static List<string> StateLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var text = new StreamReader(stream).ReadToEnd();
        return text.Split('\n').SkipLast(1).Where(line => line.StartsWith('{') && line.EndsWith('}')).ToList();
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
