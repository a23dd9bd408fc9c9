using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Examples;

/// <summary>
/// The partner examples in <c>contracts/examples</c>, run as a partner runs them against a real exchange: outside .NET,
/// with an ordinary JOSE toolkit, signing the DESIGN.md example and verifying the receipt.
/// </summary>
public sealed partial class PartnerExamplesTests : IClassFixture<SqliteExchange>
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);
    private static readonly string ExamplesFolder = Path.Combine(ExternalProcess.RepositoryRoot(), "contracts", "examples");

    private readonly ExchangeServer _server;

    public PartnerExamplesTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task A_partner_with_bash_openssl_and_curl_submits_the_example_and_verifies_the_receipt()
    {
        var run = await ExternalProcess.RunAsync("bash", [Path.Combine("curl", "submit-report.sh"), .. PartnerArguments("ifpi")],
            ExamplesFolder, ScriptTimeout);

        await AssertAcceptedVerifiedAndReadable(run);
    }

    [Fact]
    public async Task The_curl_example_exits_non_zero_when_the_exchange_refuses_the_report()
    {
        // indecopi is an agency, not a reporter: the exchange answers 403 and the script must not claim success.
        var run = await ExternalProcess.RunAsync("bash", [Path.Combine("curl", "submit-report.sh"), .. PartnerArguments("indecopi")],
            ExamplesFolder, ScriptTimeout);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("HTTP 403", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("receipt verified", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_with_node_and_jose_submits_the_example_and_verifies_the_receipt()
    {
        // Fails rather than skips without Node.js, under deploy/test.sh or not: a skipped example rots unnoticed.
        foreach (var tool in new[] { "node", "npm" })
        {
            Assert.True(ExternalProcess.IsOnPath(tool),
                $"'{tool}' is not on the PATH: install Node.js 20 or later to run the Node partner example"
                + (TestServices.Required ? " (required under INTELX_REQUIRE_SERVICES=1)." : "."));
        }
        var nodeExample = Path.Combine(ExamplesFolder, "node");

        var install = await ExternalProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], nodeExample, InstallTimeout);
        Assert.True(install.ExitCode == 0, $"npm ci failed:\n{install.Output}");
        var run = await ExternalProcess.RunAsync("node", ["submit-report.mjs", .. PartnerArguments("ifpi")], nodeExample, ScriptTimeout);

        await AssertAcceptedVerifiedAndReadable(run);
    }

    private string[] PartnerArguments(string tenant) =>
        ["--data", _server.DataPath, "--url", _server.PartnerAddress.ToString(), "--tenant", tenant];

    private async Task AssertAcceptedVerifiedAndReadable(ProcessResult run)
    {
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");
        Assert.Contains("HTTP 202", run.Output, StringComparison.Ordinal);
        Assert.Contains("receipt verified", run.Output, StringComparison.Ordinal);
        var reportId = ReportIdLine().Match(run.Output);
        Assert.True(reportId.Success, $"no 'reportId: <id>' line:\n{run.Output}");

        using var ifpi = _server.ClientFor("ifpi");
        using var indecopi = _server.ClientFor("indecopi");
        var bySubmitter = await ifpi.GetFromJsonAsync<ReportDetails>($"/v1/reports/{reportId.Groups["id"].Value}");
        var byAgency = await indecopi.GetAsync($"/v1/reports/{reportId.Groups["id"].Value}");

        Assert.Equal("ifpi", bySubmitter!.Submitter);
        Assert.StartsWith("IFPI-PE-", bySubmitter.ExternalId, StringComparison.Ordinal);
        Assert.NotEqual("IFPI-PE-2026-000123", bySubmitter.ExternalId);
        Assert.Equal(6, bySubmitter.Report.Targets.Count);
        Assert.Contains($"\"bodySha256\":\"{bySubmitter.BodySha256}\"", run.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, byAgency.StatusCode);
    }

    [GeneratedRegex(@"^reportId: (?<id>[0-9a-f-]{36})$", RegexOptions.Multiline)]
    private static partial Regex ReportIdLine();
}
