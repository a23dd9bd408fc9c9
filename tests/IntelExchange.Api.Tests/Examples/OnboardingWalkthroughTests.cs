using System.Text;
using System.Text.RegularExpressions;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Tests.Examples;

/// <summary>
/// The README's onboarding walk-through, run as written: every <c>sh</c> block between its markers, in order, with
/// bash, openssl and curl, against a real exchange that was started before the ministry existed.
/// </summary>
public sealed partial class OnboardingWalkthroughTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_readme_walkthrough_onboards_the_ministry_and_its_reports_flow_both_ways_without_a_restart()
    {
        using var server = new ExchangeServer();
        var root = ExternalProcess.RepositoryRoot();
        var script = Path.Combine(server.DataPath, "walkthrough.sh");
        await File.WriteAllTextAsync(script, "set -euo pipefail\n" + Walkthrough(await File.ReadAllTextAsync(Path.Combine(root, "README.md"))));

        var run = await ExternalProcess.RunAsync("env",
            [$"PKI={server.DevPki}", $"URL={server.PartnerAddress.ToString().TrimEnd('/')}", "bash", script], root, ScriptTimeout);

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");
        Assert.Equal(2, ReceiptVerified().Matches(run.Output).Count);
        Assert.Contains("\"tenantId\":\"es-cultura\"", run.Output, StringComparison.Ordinal);
        server.WithDb(db =>
        {
            var ministry = db.Tenants.Single(t => t.Id == "es-cultura");
            Assert.False(ministry.Suspended);
            Assert.Equal(2, db.ClientCredentials.Count(c => c.TenantId == "es-cultura"));
            Assert.Equal(1, db.ClientCredentials.Count(c => c.TenantId == "es-cultura" && c.RevokedAt == null));
            var kid = File.ReadAllText(Path.Combine(server.DevPki, "es-cultura", "signing.kid")).Trim();
            Assert.Equal("es-cultura", db.SigningKeys.Single(k => k.Kid == kid).TenantId);

            var received = db.Cases.Include(c => c.Report).Single(c => c.AgencyId == "es-cultura");
            Assert.Equal("ifpi", received.ReporterId);
            Assert.Equal(CaseStatus.UnderReview, received.Status);
            var sent = db.Reports.Include(r => r.Cases).Single(r => r.TenantId == "es-cultura");
            Assert.Equal(kid, sent.Kid);
            Assert.Equal(["indecopi"], sent.Cases.Select(c => c.AgencyId));

            Assert.Equal(
                ["tenant.created", "certificate.registered", "signing_key.registered", "agreement.recorded", "certificate.registered", "certificate.revoked",
                 "tenant.suspended", "tenant.reactivated"],
                db.OperatorActions.Where(a => a.Tenant == "es-cultura").OrderBy(a => a.Id).Select(a => a.Action).ToList());
            return 0;
        });
    }

    /// <summary>The <c>sh</c> blocks between <c>&lt;!-- onboarding-walkthrough --&gt;</c> and its closing marker.</summary>
    private static string Walkthrough(string readme)
    {
        var start = readme.IndexOf("<!-- onboarding-walkthrough -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- /onboarding-walkthrough -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has lost its onboarding walk-through markers");
        var script = new StringBuilder();
        foreach (Match block in ShellBlock().Matches(readme[start..end]))
        {
            script.Append(block.Groups["code"].Value).Append('\n');
        }
        Assert.True(script.Length > 0, "no sh blocks in the walk-through");
        return script.ToString();
    }

    [GeneratedRegex(@"^```sh\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex("^receipt verified$", RegexOptions.Multiline)]
    private static partial Regex ReceiptVerified();
}
