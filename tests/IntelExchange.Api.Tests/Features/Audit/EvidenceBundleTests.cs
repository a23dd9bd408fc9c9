using System.Buffers.Text;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Audit;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>
/// The evidence bundle over real HTTPS: exactly the DESIGN.md files, who may have it, that it verifies offline, that
/// any tampering is caught, and that a court with only openssl and a stock JOSE library can check it as README.txt says.
/// </summary>
public sealed class EvidenceBundleTests : IClassFixture<SqliteExchange>, IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;
    private readonly string _folder = Directory.CreateTempSubdirectory("intelx-evidence-").FullName;

    public EvidenceBundleTests(SqliteExchange fixture)
    {
        _server = fixture.Server;
        _ifpi = new Partner(_server, "ifpi");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_bundle_holds_exactly_the_listed_files_with_the_exact_bytes_received()
    {
        var body = SampleReports.Bytes(SampleReports.Json());
        var signature = _ifpi.Sign(body);
        using var submitted = await _ifpi.SubmitAsync(body, signature);
        var accepted = JsonSerializer.Deserialize<ReportAccepted>(await submitted.Content.ReadAsByteArrayAsync(), ExchangeJson.Strict)!;

        using var response = await _ifpi.Http.GetAsync($"/v1/reports/{accepted.ReportId}/evidence-bundle");
        var files = Unzip(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(EvidenceBundles.FileNames.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(9, files.Count);
        Assert.Equal(body, files["report.json"]);
        Assert.Equal(signature, Encoding.ASCII.GetString(files["report.jws"]));
        Assert.Equal(accepted.Receipt, Encoding.ASCII.GetString(files["receipt.jws"]));
        Assert.Equal(File.ReadAllText(Path.Combine(_server.DevPki, "ifpi", "client.crt")).Trim(), Encoding.ASCII.GetString(files["client-certificate.pem"]).Trim());
        Assert.True(DetachedJws.Verify(files["report.json"], signature, Encoding.ASCII.GetString(files["signer.pem"])));
        Assert.Contains(accepted.ReportId.ToString(), Encoding.UTF8.GetString(files["README.txt"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bundle_verifies_offline_against_the_exchange_s_published_keys()
    {
        var reportId = await SubmitReportAsync();
        var jwks = await AuditSteps.JwksAsync(_ifpi.Http);

        var bundle = await _ifpi.Http.GetByteArrayAsync($"/v1/reports/{reportId}/evidence-bundle");
        var result = EvidenceBundles.Verify(new MemoryStream(bundle), jwks);

        Assert.True(result.Verified, Describe(result));
        Assert.True(result.JwksPinned);
        Assert.Equal(reportId, result.Receipt!.ReportId);
        Assert.Equal(["files", "report signature", "receipt", "checkpoint", "ledger entry", "inclusion proof"], result.Checks.Select(c => c.Name));
        Assert.True(result.Checkpoint!.TreeSize > result.Entry!.Index);
    }

    [Fact]
    public async Task The_case_agency_gets_the_bundle_and_a_stranger_or_an_unknown_report_gets_404()
    {
        var reportId = await SubmitReportAsync();
        using var indecopi = _server.ClientFor("indecopi");
        using var esMcd = _server.ClientFor("es-mcd");

        using var byAgency = await indecopi.GetAsync($"/v1/reports/{reportId}/evidence-bundle");
        using var byStranger = await esMcd.GetAsync($"/v1/reports/{reportId}/evidence-bundle");
        using var unknown = await _ifpi.Http.GetAsync($"/v1/reports/{Guid.NewGuid()}/evidence-bundle");

        Assert.Equal(HttpStatusCode.OK, byAgency.StatusCode);
        Assert.True(EvidenceBundles.Verify(new MemoryStream(await byAgency.Content.ReadAsByteArrayAsync())).Verified);
        await ProblemAssert.IsProblemAsync(byStranger, Problems.NotFound);
        await ProblemAssert.IsProblemAsync(unknown, Problems.NotFound);
    }

    [Fact]
    public async Task A_report_whose_client_certificate_was_not_kept_gets_a_409_problem_and_a_stranger_still_404()
    {
        using var server = new ExchangeServer();
        using var ifpi = new Partner(server, "ifpi");
        using var esMcd = server.ClientFor("es-mcd");
        var reportId = (await SubmitAsync(ifpi)).ReportId;
        var thumbprint = server.WithDb(db => db.Reports.Single(r => r.Id == reportId).ClientCertificateThumbprint);
        server.WithDb(db => db.ClientCredentials.Where(c => c.Thumbprint == thumbprint)
            .ExecuteUpdate(set => set.SetProperty(c => c.CertificatePem, (string?)null)));

        var problem = await ProblemAssert.IsProblemAsync(await ifpi.Http.GetAsync($"/v1/reports/{reportId}/evidence-bundle"), Problems.EvidenceUnavailable);

        Assert.Contains("without its PEM", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(await esMcd.GetAsync($"/v1/reports/{reportId}/evidence-bundle"), Problems.NotFound);
    }

    [Theory]
    [InlineData("report.json", "a byte of the report changed", "report signature")]
    [InlineData("report.jws", "the signature replaced by one over other bytes", "report signature")]
    [InlineData("receipt.jws", "the receipt's payload changed", "receipt")]
    [InlineData("checkpoint.jws", "the checkpoint's root changed", "checkpoint")]
    [InlineData("inclusion-proof.json", "a hash of the audit path changed", "inclusion proof")]
    [InlineData("inclusion-proof.json", "the entry rewritten to name another body", "ledger entry")]
    [InlineData("client-certificate.pem", "another certificate", "ledger entry")]
    [InlineData("jwks.json", "the exchange's key swapped for another", "receipt")]
    public async Task A_tampered_bundle_does_not_verify(string file, string tampering, string failedCheck)
    {
        var reportId = await SubmitReportAsync();
        var files = Unzip(await _ifpi.Http.GetByteArrayAsync($"/v1/reports/{reportId}/evidence-bundle"));

        files[file] = Tamper(file, tampering, files);
        Assert.NotEqual(Unzip(await _ifpi.Http.GetByteArrayAsync($"/v1/reports/{reportId}/evidence-bundle"))[file], files[file]);
        var result = EvidenceBundles.Verify(new MemoryStream(Zip(files)));

        Assert.False(result.Verified, tampering);
        Assert.Contains(result.Checks, c => c.Name == failedCheck && !c.Passed);
    }

    [Fact]
    public async Task A_bundle_with_a_file_missing_or_added_does_not_verify()
    {
        var reportId = await SubmitReportAsync();
        var files = Unzip(await _ifpi.Http.GetByteArrayAsync($"/v1/reports/{reportId}/evidence-bundle"));
        var withExtra = new Dictionary<string, byte[]>(files) { ["note.txt"] = "trust me"u8.ToArray() };
        files.Remove("signer.pem");

        Assert.False(EvidenceBundles.Verify(new MemoryStream(Zip(files))).Verified);
        Assert.False(EvidenceBundles.Verify(new MemoryStream(Zip(withExtra))).Verified);
    }

    [Fact]
    public async Task A_bundle_naming_a_file_twice_is_refused_rather_than_read_either_way()
    {
        var reportId = await SubmitReportAsync();
        var files = Unzip(await _ifpi.Http.GetByteArrayAsync($"/v1/reports/{reportId}/evidence-bundle"));
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files.Append(new("report.json", SampleReports.Bytes(SampleReports.Json()))))
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
        }
        memory.Position = 0;

        var refusal = Assert.Throws<InvalidDataException>(() => EvidenceBundles.Verify(memory));
        Assert.Contains("report.json twice", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_court_verifies_the_bundle_with_openssl_and_node_jose_as_its_readme_says()
    {
        foreach (var tool in new[] { "openssl", "node", "npm" })
        {
            Assert.True(ExternalProcess.IsOnPath(tool), $"'{tool}' is not on the PATH: the README's offline check needs openssl and Node.js 20 or later.");
        }
        var reportId = await SubmitReportAsync();
        var files = Unzip(await _ifpi.Http.GetByteArrayAsync($"/v1/reports/{reportId}/evidence-bundle"));
        var bundleFolder = Path.Combine(_folder, "bundle");
        Directory.CreateDirectory(bundleFolder);
        foreach (var (name, content) in files)
        {
            File.WriteAllBytes(Path.Combine(bundleFolder, name), content);
        }
        var readme = Encoding.UTF8.GetString(files["README.txt"]);
        File.WriteAllText(Path.Combine(bundleFolder, "verify-signature.sh"), Script(readme, EvidenceReadme.OpensslScriptStart));
        File.WriteAllText(Path.Combine(bundleFolder, "verify.mjs"), Script(readme, EvidenceReadme.NodeScriptStart));
        await InstallJoseAsync(bundleFolder);

        var openssl = await ExternalProcess.RunAsync("bash", ["verify-signature.sh"], bundleFolder, ScriptTimeout);
        var node = await ExternalProcess.RunAsync("node", ["verify.mjs"], bundleFolder, ScriptTimeout);

        Assert.True(openssl.ExitCode == 0, openssl.Output);
        Assert.Contains("Verified OK", openssl.Output, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(files["report.json"])), openssl.Output, StringComparison.Ordinal);
        Assert.True(node.ExitCode == 0, node.Output);
        Assert.Contains("bundle verified", node.Output, StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(bundleFolder, "report.json"), [.. files["report.json"], (byte)'\n']);
        var opensslOnTampered = await ExternalProcess.RunAsync("bash", ["verify-signature.sh"], bundleFolder, ScriptTimeout);
        var nodeOnTampered = await ExternalProcess.RunAsync("node", ["verify.mjs"], bundleFolder, ScriptTimeout);
        Assert.NotEqual(0, opensslOnTampered.ExitCode);
        Assert.Contains("Verification failure", opensslOnTampered.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, nodeOnTampered.ExitCode);
        Assert.Contains("FAILED", nodeOnTampered.Output, StringComparison.Ordinal);
    }

    private async Task<Guid> SubmitReportAsync() => (await SubmitAsync(_ifpi)).ReportId;

    /// <summary>
    /// jose at the version the partner example's lock file pins, installed into <paramref name="folder"/> itself: the
    /// example's own node_modules is reinstalled by its test at the same time, so it is not shared.
    /// </summary>
    private static async Task InstallJoseAsync(string folder)
    {
        var example = Path.Combine(ExternalProcess.RepositoryRoot(), "contracts", "examples", "node");
        File.Copy(Path.Combine(example, "package.json"), Path.Combine(folder, "package.json"));
        File.Copy(Path.Combine(example, "package-lock.json"), Path.Combine(folder, "package-lock.json"));
        var install = await ExternalProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, $"npm ci failed:\n{install.Output}");
    }

    private static string Script(string readme, string startMarker)
    {
        var start = readme.IndexOf(startMarker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.txt has no {startMarker}");
        start += startMarker.Length;
        var end = readme.IndexOf(EvidenceReadme.ScriptEnd, start, StringComparison.Ordinal);
        return readme[start..end].Trim() + "\n";
    }

    private byte[] Tamper(string file, string tampering, Dictionary<string, byte[]> bundle)
    {
        var content = bundle[file];
        var text = Encoding.ASCII.GetString(content);
        switch (tampering)
        {
            case "a byte of the report changed":
                var body = content.ToArray();
                body[body.Length / 2] ^= 0x01;
                return body;
            case "the signature replaced by one over other bytes":
                return Encoding.ASCII.GetBytes(_ifpi.Sign(SampleReports.Bytes(SampleReports.Json())));
            case "the exchange's key swapped for another":
                using (var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    var point = impostor.ExportParameters(false).Q;
                    var jwks = JsonNode.Parse(content)!;
                    foreach (var key in jwks["keys"]!.AsArray())
                    {
                        key!["x"] = Base64Url.EncodeToString(point.X);
                        key["y"] = Base64Url.EncodeToString(point.Y);
                    }
                    return Encoding.UTF8.GetBytes(jwks.ToJsonString());
                }
            case "the receipt's payload changed":
            case "the checkpoint's root changed":
                var parts = text.Split('.');
                var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
                if (file == "receipt.jws")
                {
                    payload["tenant"] = "someone-else";
                }
                else
                {
                    payload["rootHash"] = new string('b', 64);
                }
                parts[1] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
                return Encoding.ASCII.GetBytes(string.Join('.', parts));
            case "a hash of the audit path changed":
            case "the entry rewritten to name another body":
                var proof = JsonNode.Parse(content)!;
                if (tampering.StartsWith("a hash", StringComparison.Ordinal))
                {
                    proof["auditPath"]![0] = new string('c', 64);
                }
                else
                {
                    var entry = JsonNode.Parse(Convert.FromBase64String(proof["entry"]!.GetValue<string>()))!;
                    entry["details"]!["bodySha256"] = new string('d', 64);
                    proof["entry"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(entry.ToJsonString()));
                }
                return Encoding.UTF8.GetBytes(proof.ToJsonString());
            case "another certificate":
                return File.ReadAllBytes(Path.Combine(_server.DevPki, "indecopi", "client.crt"));
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering);
        }
    }

    private static Dictionary<string, byte[]> Unzip(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        });
    }

    private static byte[] Zip(Dictionary<string, byte[]> files)
    {
        using var memory = new MemoryStream();
        using (var archive = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
        }
        return memory.ToArray();
    }

    private static string Describe(BundleVerification result) =>
        string.Join('\n', result.Checks.Select(c => $"{(c.Passed ? "ok" : "FAILED")} {c.Name}: {c.Detail}"));
}
