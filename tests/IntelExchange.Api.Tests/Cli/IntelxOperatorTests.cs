using System.Text.Json;
using IntelExchange.Api.Tests.Features.Operator;
using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Cli;

/// <summary><c>intelx operator …</c> as the operator runs it at 2 a.m.: a new partner joins, live, with the tool alone.</summary>
public sealed class IntelxOperatorTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public IntelxOperatorTests(SqliteExchange fixture) => _server = fixture.Server;

    private string[] AsOperator(params string[] command) => [.. Intelx.Against(_server, "operator"), "operator", .. command];

    [Fact]
    public async Task Onboards_a_partner_that_then_submits_with_the_tool_and_is_suspended_and_reactivated()
    {
        var folder = Directory.CreateTempSubdirectory("intelx-onboard-").FullName;
        using var certificate = OperatorSteps.IssueCertificate(_server, "CN=es-cultura,O=Ministerio de Cultura");
        OperatorSteps.InstallCertificate(_server, "es-cultura", certificate);
        var publicKey = OperatorSteps.CreateSigningKey(_server, "es-cultura");
        await File.WriteAllTextAsync(Path.Combine(folder, "client.crt"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(folder, "signing.pub"), publicKey);

        var created = await Intelx.RunAsync(AsOperator("tenants", "create", "es-cultura", "--name", "Ministerio de Cultura", "--role", "reporter", "--role", "agency"));
        var pinned = await Intelx.RunAsync(AsOperator("certificates", "add", "es-cultura", Path.Combine(folder, "client.crt"), "--json"));
        var key = await Intelx.RunAsync(AsOperator("signing-keys", "add", "es-cultura", Path.Combine(folder, "signing.pub"), "--json"));
        var agreement = await Intelx.RunAsync(AsOperator("agreements", "set", "es-cultura", "indecopi", "--default"));
        Assert.True(key.ExitCode == 0, key.ToString());
        using (var registered = JsonDocument.Parse(key.Output))
        {
            await File.WriteAllTextAsync(Path.Combine(_server.DevPki, "es-cultura", "signing.kid"), registered.RootElement.GetProperty("kid").GetString());
        }
        var report = Path.Combine(folder, "report.json");
        await File.WriteAllTextAsync(report, SampleReports.Json(externalId: "ES-CULT-1", shareWith: "null"));

        var submitted = await Intelx.RunAsync([.. Intelx.Against(_server, "es-cultura"), "submit", report]);
        var suspended = await Intelx.RunAsync(AsOperator("suspend", "es-cultura"));
        var whileSuspended = await Intelx.RunAsync([.. Intelx.Against(_server, "es-cultura"), "whoami"]);
        var reactivated = await Intelx.RunAsync(AsOperator("reactivate", "es-cultura"));
        var afterwards = await Intelx.RunAsync([.. Intelx.Against(_server, "es-cultura"), "whoami"]);
        var shown = await Intelx.RunAsync(AsOperator("tenants", "show", "es-cultura"));
        var actions = await Intelx.RunAsync(AsOperator("actions", "--about", "es-cultura", "--json"));

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.StartsWith("Tenant es-cultura (Ministerio de Cultura)  reporter, agency", created.Output, StringComparison.Ordinal);
        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        using (var credential = JsonDocument.Parse(pinned.Output))
        {
            Assert.Equal(Convert.ToHexStringLower(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)),
                credential.RootElement.GetProperty("thumbprint").GetString());
        }
        Assert.True(agreement.ExitCode == 0, agreement.ToString());
        Assert.Contains("es-cultura -> indecopi  (default)", agreement.Output, StringComparison.Ordinal);
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        Assert.Contains("receipt      verified", submitted.Output, StringComparison.Ordinal);
        Assert.Equal("indecopi", _server.WithDb(db => db.Cases.Single(c => c.ReporterId == "es-cultura").AgencyId));
        Assert.True(suspended.ExitCode == 0, suspended.ToString());
        Assert.Contains("SUSPENDED", suspended.Output, StringComparison.Ordinal);
        Assert.True(whileSuspended.ExitCode == 1, whileSuspended.ToString());
        Assert.True(reactivated.ExitCode == 0, reactivated.ToString());
        Assert.True(afterwards.ExitCode == 0, afterwards.ToString());
        Assert.Contains("  certificate ", shown.Output, StringComparison.Ordinal);
        Assert.Contains("  signing key ", shown.Output, StringComparison.Ordinal);
        using var record = JsonDocument.Parse(actions.Output);
        Assert.True(record.RootElement.GetProperty("items").GetArrayLength() >= 6, actions.Output);
    }

    [Fact]
    public async Task Lists_credentials_expiring_soon_and_refuses_a_partner_that_is_not_an_operator()
    {
        var expiring = await Intelx.RunAsync(AsOperator("credentials", "--expiring-within", "3650d", "--json"));
        var notOperator = await Intelx.RunAsync([.. Intelx.Against(_server, "ifpi"), "operator", "tenants", "list"]);
        var badWindow = await Intelx.RunAsync(AsOperator("credentials", "--expiring-within", "soon"));

        Assert.True(expiring.ExitCode == 0, expiring.ToString());
        using var page = JsonDocument.Parse(expiring.Output);
        var tenants = page.RootElement.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("tenant").GetString()).ToList();
        Assert.Contains("ifpi", tenants);
        Assert.Contains("operator", tenants);
        Assert.True(notOperator.ExitCode == 1, notOperator.ToString());
        Assert.Contains("(403 forbidden)", notOperator.Error, StringComparison.Ordinal);
        Assert.True(badWindow.ExitCode == 1, badWindow.ToString());
        Assert.Contains("(400 ", badWindow.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_every_agreement_and_a_tenants_signing_keys_in_one_page_and_offers_no_paging_the_server_does_not_do()
    {
        var agreements = await Intelx.RunAsync(AsOperator("agreements", "list"));
        var keys = await Intelx.RunAsync(AsOperator("signing-keys", "list", "ifpi", "--json"));
        var paged = await Intelx.RunAsync(AsOperator("agreements", "list", "--limit", "1"));

        Assert.True(agreements.ExitCode == 0, agreements.ToString());
        Assert.Contains("ifpi -> indecopi", agreements.Output, StringComparison.Ordinal);
        Assert.Contains("last page)", agreements.Output, StringComparison.Ordinal);
        Assert.True(keys.ExitCode == 0, keys.ToString());
        using (var page = JsonDocument.Parse(keys.Output))
        {
            Assert.NotEmpty(page.RootElement.GetProperty("items").EnumerateArray());
            Assert.False(page.RootElement.TryGetProperty("next", out var next) && next.ValueKind != JsonValueKind.Null, keys.Output);
        }
        Assert.NotEqual(0, paged.ExitCode);
        Assert.Contains("--limit", paged.Error, StringComparison.Ordinal);
    }
}
