using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Signing;

namespace IntelExchange.Api.Tests.Cli;

/// <summary>The intelx tool as a partner's operator or script runs it: a separate process, text or --json out, exit codes.</summary>
public sealed class IntelxCommandTests : IClassFixture<SqliteExchange>, IDisposable
{
    private readonly ExchangeServer _server;
    private readonly string _folder = Directory.CreateTempSubdirectory("intelx-cli-").FullName;

    public IntelxCommandTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task Whoami_prints_the_tenant_and_its_roles()
    {
        var text = await Intelx.RunAsync([.. Intelx.Against(_server, "es-mcd"), "whoami"]);
        var json = await Intelx.RunAsync([.. Intelx.Against(_server), "whoami", "--json"]);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.StartsWith("es-mcd (", text.Output, StringComparison.Ordinal);
        Assert.Contains("reporter, agency", text.Output, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        using var identity = JsonDocument.Parse(json.Output);
        Assert.Equal("ifpi", identity.RootElement.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task Submitting_one_file_exits_0_and_prints_the_report_id_the_exchange_stored()
    {
        var file = WriteReport("one.json", SampleReports.Json());

        var run = await Intelx.RunAsync([.. Intelx.Against(_server), "submit", file]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var reportId = Guid.Parse(run.Output.Split('\n')[0].Split(' ')[2]);
        Assert.StartsWith($"Accepted report {reportId}", run.Output, StringComparison.Ordinal);
        Assert.Contains("receipt      verified", run.Output, StringComparison.Ordinal);
        var stored = _server.WithDb(db => db.Reports.Single(r => r.Id == reportId));
        Assert.Equal(File.ReadAllBytes(file), stored.Body);
        Assert.Equal("ifpi", stored.TenantId);
    }

    [Fact]
    public async Task A_refused_report_exits_1_and_prints_the_problem_title_detail_and_field_errors()
    {
        var file = WriteReport("bad.json", SampleReports.Json(targets: """[{ "type": "url", "value": "ftp://y2mate.example/x" }]"""));

        var run = await Intelx.RunAsync([.. Intelx.Against(_server), "submit", file]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("error: The report or request is not valid. (400 validation-failed)", run.Error, StringComparison.Ordinal);
        Assert.Contains("1 field(s) are not valid.", run.Error, StringComparison.Ordinal);
        Assert.Contains("targets[0].value: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_problem_from_a_read_exits_1_with_the_problem_as_json_when_asked()
    {
        var run = await Intelx.RunAsync([.. Intelx.Against(_server, "es-mcd"), "reports", "get", Guid.NewGuid().ToString(), "--json"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        using var problem = JsonDocument.Parse(run.Output);
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("https://intelexchange.example/problems/not-found", problem.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Usage_errors_exit_2_without_calling_the_exchange()
    {
        var unknownOption = await Intelx.RunAsync([.. Intelx.Against(_server), "whoami", "--frobnicate"]);
        var missingFile = await Intelx.RunAsync([.. Intelx.Against(_server), "submit", Path.Combine(_folder, "missing.json")]);
        var noCommand = await Intelx.RunAsync([.. Intelx.Against(_server), "reports"]);
        var missingPki = await Intelx.RunAsync("--server", _server.PartnerAddress.ToString(), "--pki", Path.Combine(_folder, "no-pki"), "whoami");

        Assert.All([unknownOption, missingFile, noCommand, missingPki], run => Assert.True(run.ExitCode == 2, run.ToString()));
        Assert.Contains("missing.json is neither a file nor a folder", missingFile.Error, StringComparison.Ordinal);
        Assert.Contains("client.crt does not exist", missingPki.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_the_ca_does_not_vouch_for_exits_3_at_once()
    {
        using var otherCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = new CertificateRequest("CN=Some Other CA", otherCaKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var caPath = Path.Combine(_folder, "other-ca.crt");
        File.WriteAllText(caPath, otherCa.ExportCertificatePem());

        var run = await Intelx.RunAsync([.. Intelx.Against(_server), "--ca", caPath, "whoami"]);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("cannot reach the exchange", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_back_what_it_submitted_as_reporter_and_as_agency_and_verifies_the_receipt()
    {
        var externalId = "IFPI-CLI-" + Guid.NewGuid().ToString("N")[..8];
        var file = WriteReport("read.json", SampleReports.Json(externalId));
        var submit = await Intelx.RunAsync([.. Intelx.Against(_server), "submit", file, "--json"]);
        Assert.True(submit.ExitCode == 0, submit.ToString());
        using var summary = JsonDocument.Parse(submit.Output);
        var result = summary.RootElement.GetProperty("results")[0];
        var reportId = result.GetProperty("reportId").GetString()!;
        var receiptPath = Path.Combine(_folder, "receipt.jws");
        File.WriteAllText(receiptPath, result.GetProperty("receipt").GetString());

        var get = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "reports", "get", reportId]);
        var list = await Intelx.RunAsync([.. Intelx.Against(_server), "reports", "list", "--status", "received", "--limit", "500"]);
        var feed = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "feed", "--limit", "500", "--json"]);
        var verify = await Intelx.RunAsync([.. Intelx.Against(_server), "verify", "receipt", receiptPath, "--body", file]);
        var verifyOtherBody = await Intelx.RunAsync([.. Intelx.Against(_server), "verify", "receipt", receiptPath, "--body", WriteReport("other.json", SampleReports.Json())]);

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains($"external id   {externalId}", get.Output, StringComparison.Ordinal);
        Assert.Contains("indecopi  received", get.Output, StringComparison.Ordinal);
        Assert.Contains(reportId, list.Output, StringComparison.Ordinal);
        using var page = JsonDocument.Parse(feed.Output);
        Assert.Contains(page.RootElement.GetProperty("items").EnumerateArray(), item => item.GetProperty("reportId").GetString() == reportId);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains($"the exchange received report {reportId}", verify.Output, StringComparison.Ordinal);
        Assert.Contains("(matches the file)", verify.Output, StringComparison.Ordinal);
        Assert.True(verifyOtherBody.ExitCode == 1, verifyOtherBody.ToString());
        Assert.Contains("Receipt does NOT verify", verifyOtherBody.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verifies_a_receipt_offline_against_a_saved_jwks_and_refuses_an_altered_one()
    {
        var submit = await Intelx.RunAsync([.. Intelx.Against(_server), "submit", WriteReport("offline.json", SampleReports.Json()), "--json"]);
        using var summary = JsonDocument.Parse(submit.Output);
        var receipt = summary.RootElement.GetProperty("results")[0].GetProperty("receipt").GetString()!;
        using var http = _server.ClientFor("ifpi");
        var jwksPath = Path.Combine(_folder, "jwks.json");
        File.WriteAllText(jwksPath, await http.GetStringAsync("/.well-known/jwks.json"));
        var parts = receipt.Split('.');
        var altered = parts[0] + "." + parts[1][..^2] + (parts[1][^2] == 'A' ? "B" : "A") + parts[1][^1] + "." + parts[2];

        var offline = await Intelx.RunAsync("verify", "receipt", receipt, "--jwks", jwksPath, "--json");
        var refused = await Intelx.RunAsync("verify", "receipt", altered, "--jwks", jwksPath);

        Assert.True(offline.ExitCode == 0, offline.ToString());
        using var verified = JsonDocument.Parse(offline.Output);
        Assert.True(verified.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal("ifpi", verified.RootElement.GetProperty("tenant").GetString());
        Assert.True(refused.ExitCode == 1, refused.ToString());
    }

    [Fact]
    public async Task Keys_new_writes_a_signing_key_with_its_kid_and_a_client_csr_for_the_tenant()
    {
        var keys = Path.Combine(_folder, "keys");

        var run = await Intelx.RunAsync("keys", "new", "--out", keys, "--tenant", "acme-records");
        var again = await Intelx.RunAsync("keys", "new", "--out", keys, "--tenant", "acme-records");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(2, again.ExitCode);
        using var signing = ECDsa.Create();
        signing.ImportFromPem(File.ReadAllText(Path.Combine(keys, "signing.key")));
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(File.ReadAllText(Path.Combine(keys, "signing.pub.pem")));
        Assert.Equal(DetachedJws.KeyId(signing.ExportParameters(false)), File.ReadAllText(Path.Combine(keys, "signing.kid")).Trim());
        Assert.Equal(signing.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
        var body = "{}"u8.ToArray();
        Assert.True(DetachedJws.Verify(body, DetachedJws.Sign(body, signing, DetachedJws.KeyId(signing.ExportParameters(false)), "acme-records"),
            File.ReadAllText(Path.Combine(keys, "signing.pub.pem"))));

        var csr = CertificateRequest.LoadSigningRequestPem(File.ReadAllText(Path.Combine(keys, "client.csr")), HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        using var clientKey = ECDsa.Create();
        clientKey.ImportFromPem(File.ReadAllText(Path.Combine(keys, "client.key")));
        Assert.Equal("CN=acme-records", csr.SubjectName.Name);
        Assert.Equal(clientKey.ExportSubjectPublicKeyInfo(), csr.PublicKey.ExportSubjectPublicKeyInfo());
        var extension = Assert.Single(csr.CertificateExtensions, e => e.Oid?.Value == "2.5.29.37");
        var usage = new X509EnhancedKeyUsageExtension(extension, extension.Critical);
        Assert.Equal("1.3.6.1.5.5.7.3.2", Assert.Single(usage.EnhancedKeyUsages.Cast<Oid>()).Value);
    }

    private string WriteReport(string name, string json)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
