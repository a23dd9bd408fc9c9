using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntelExchange.Api.Security.Signing;
using IntelExchange.Api.Tests.Features.Audit;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Cli;

/// <summary>
/// intelx as a court, an auditor or an agency runs it: download a bundle and verify it offline, export the ledger and
/// verify it against a checkpoint held since, and catch every kind of tampering with the export.
/// </summary>
public sealed class AuditCommandTests : IClassFixture<SqliteExchange>, IDisposable
{
    private readonly ExchangeServer _server;
    private readonly string _folder = Directory.CreateTempSubdirectory("intelx-audit-cli-").FullName;

    public AuditCommandTests(SqliteExchange fixture) => _server = fixture.Server;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_downloaded_bundle_verifies_offline_and_a_tampered_one_exits_1()
    {
        var reportId = await SubmitAsync();
        var zip = Path.Combine(_folder, "evidence.zip");
        var jwks = await SaveJwksAsync();

        var download = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "reports", "evidence", reportId.ToString(), "--out", zip]);
        var verify = await Intelx.RunAsync(["verify", "bundle", zip, "--jwks", jwks]);
        var unpinned = await Intelx.RunAsync(["verify", "bundle", zip, "--json"]);
        var tampered = Path.Combine(_folder, "tampered.zip");
        File.Copy(zip, tampered);
        using (var archive = ZipFile.Open(tampered, ZipArchiveMode.Update))
        {
            archive.GetEntry("report.json")!.Delete();
            using var stream = archive.CreateEntry("report.json").Open();
            stream.Write(Encoding.UTF8.GetBytes(SampleReports.Json()));
        }
        var refused = await Intelx.RunAsync(["verify", "bundle", tampered, "--jwks", jwks]);

        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains($"Bundle verified: report {reportId} is ledger entry", verify.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("note:", verify.Output, StringComparison.Ordinal);
        Assert.Equal(0, unpinned.ExitCode);
        using (var json = JsonDocument.Parse(unpinned.Output))
        {
            Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
            Assert.False(json.RootElement.GetProperty("jwksPinned").GetBoolean());
        }
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("FAILED report signature", refused.Error, StringComparison.Ordinal);
        Assert.Contains("Bundle does NOT verify.", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exported_ledger_verifies_against_a_checkpoint_saved_earlier()
    {
        var (export, checkpoint, jwks) = await ExportWithCheckpointAsync();

        var run = await Intelx.RunAsync(["verify", "ledger", export, "--checkpoint", checkpoint, "--jwks", jwks]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Ledger verified: ", run.Output, StringComparison.Ordinal);
        Assert.Contains("hash chain intact", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("edited", "previousHash does not match")]
    [InlineData("edited-last", "(the ledger was altered)")]
    [InlineData("deleted", "an entry was deleted, inserted or moved")]
    [InlineData("reordered", "an entry was deleted, inserted or moved")]
    [InlineData("truncated", "entries are missing at the end")]
    public async Task A_tampered_ledger_export_does_not_verify(string tampering, string expected)
    {
        var (export, checkpoint, jwks) = await ExportWithCheckpointAsync();
        var lines = File.ReadAllLines(export).ToList();
        var size = JsonDocument.Parse(File.ReadAllText(checkpoint)).RootElement.GetProperty("treeSize").GetInt32();
        switch (tampering)
        {
            case "edited":
                lines[3] = lines[3].Replace("\"actor\":\"exchange\"", "\"actor\":\"ifpi\"", StringComparison.Ordinal);
                break;
            case "edited-last":
                lines[size - 1] = lines[size - 1].Replace("\"kind\":\"report.accepted\"", "\"kind\":\"tenant.registered\"", StringComparison.Ordinal);
                break;
            case "deleted":
                lines.RemoveAt(5);
                break;
            case "reordered":
                (lines[6], lines[7]) = (lines[7], lines[6]);
                break;
            case "truncated":
                lines = lines.Take(size - 1).ToList();
                break;
        }
        Assert.NotEqual(File.ReadAllLines(export), lines);
        File.WriteAllLines(export, lines);

        var run = await Intelx.RunAsync(["verify", "ledger", export, "--checkpoint", checkpoint, "--jwks", jwks]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Contains("Ledger does NOT verify", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_may_not_export_the_ledger_and_a_forged_checkpoint_is_refused()
    {
        var (export, checkpoint, jwks) = await ExportWithCheckpointAsync();
        var forged = Path.Combine(_folder, "forged.json");
        var saved = JsonDocument.Parse(File.ReadAllText(checkpoint)).RootElement.GetProperty("checkpoint").GetString()!;
        var parts = saved.Split('.');
        parts[1] = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).Replace("\"treeSize\":", "\"treeSize\":1", StringComparison.Ordinal)));
        File.WriteAllText(forged, string.Join('.', parts));

        var byPartner = await Intelx.RunAsync([.. Intelx.Against(_server, "ifpi"), "audit", "export", "--out", Path.Combine(_folder, "mine.jsonl")]);
        var withForged = await Intelx.RunAsync(["verify", "ledger", export, "--checkpoint", forged, "--jwks", jwks]);

        Assert.True(byPartner.ExitCode == 1, byPartner.ToString());
        Assert.Contains("403", byPartner.Error, StringComparison.Ordinal);
        Assert.True(withForged.ExitCode == 1, withForged.ToString());
        Assert.Contains("the checkpoint: The checkpoint's signature does not verify.", withForged.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_held_checkpoint_is_consistent_with_the_latest_one_and_a_rewritten_one_is_not()
    {
        var (_, held, jwks) = await ExportWithCheckpointAsync();
        await SubmitAsync();
        await SubmitAsync();
        await _server.SignCheckpointNowAsync();
        var newer = Path.Combine(_folder, "newer.json");
        Assert.Equal(0, (await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "audit", "checkpoint", "--out", newer])).ExitCode);
        var forgedHeld = Path.Combine(_folder, "forged-held.json");
        await File.WriteAllTextAsync(forgedHeld, ForgeCheckpoint(held));

        var consistent = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "verify", "consistency", held, "--jwks", jwks]);
        var againstFile = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "verify", "consistency", held, "--newer", newer, "--json"]);
        var backwards = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "verify", "consistency", newer, "--newer", held]);
        var rewritten = await Intelx.RunAsync([.. Intelx.Against(_server, "indecopi"), "verify", "consistency", forgedHeld]);

        Assert.True(consistent.ExitCode == 0, consistent.ToString());
        Assert.StartsWith("Consistent: the ledger of ", consistent.Output, StringComparison.Ordinal);
        Assert.True(JsonDocument.Parse(File.ReadAllText(newer)).RootElement.GetProperty("treeSize").GetInt64()
                    > JsonDocument.Parse(File.ReadAllText(held)).RootElement.GetProperty("treeSize").GetInt64());
        Assert.True(againstFile.ExitCode == 0, againstFile.ToString());
        Assert.True(JsonDocument.Parse(againstFile.Output).RootElement.GetProperty("verified").GetBoolean());
        Assert.True(backwards.ExitCode == 1, backwards.ToString());
        Assert.Contains("the ledger was truncated", backwards.Error, StringComparison.Ordinal);
        Assert.True(rewritten.ExitCode == 1, rewritten.ToString());
        Assert.Contains("does not extend", rewritten.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A checkpoint with another root for the same size, signed with the exchange's own key: what a rewrite of history
    /// by the key holder looks like to a witness. Only the consistency proof can tell it from the real one.
    /// </summary>
    private string ForgeCheckpoint(string held)
    {
        var payload = JsonDocument.Parse(File.ReadAllText(held)).RootElement;
        return _server.Services.GetRequiredService<ExchangeSigningKey>().SignCompact(new AuditCheckpointPayload
        {
            TreeSize = payload.GetProperty("treeSize").GetInt64(),
            RootHash = new string('e', 64),
            IssuedAt = payload.GetProperty("issuedAt").GetDateTimeOffset(),
        }, "intelx-checkpoint+jws");
    }

    /// <summary>A checkpoint saved first (as a witness holds one), then the operator's export, which may run past it.</summary>
    private async Task<(string Export, string Checkpoint, string Jwks)> ExportWithCheckpointAsync()
    {
        await SubmitAsync();
        var checkpoint = Path.Combine(_folder, $"checkpoint-{Guid.NewGuid():N}.json");
        var export = Path.Combine(_folder, $"ledger-{Guid.NewGuid():N}.jsonl");
        var saved = await Intelx.RunAsync([.. Intelx.Against(_server, "es-mcd"), "audit", "checkpoint", "--out", checkpoint]);
        var exported = await Intelx.RunAsync([.. Intelx.Against(_server, "operator"), "audit", "export", "--out", export]);
        Assert.True(saved.ExitCode == 0, saved.ToString());
        Assert.True(exported.ExitCode == 0, exported.ToString());
        Assert.StartsWith("Exported ", exported.Output, StringComparison.Ordinal);
        return (export, checkpoint, await SaveJwksAsync());
    }

    private async Task<Guid> SubmitAsync()
    {
        using var ifpi = new Partner(_server, "ifpi");
        using var response = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        return (await response.Content.ReadFromJsonAsync<ReportAccepted>())!.ReportId;
    }

    private async Task<string> SaveJwksAsync()
    {
        using var client = _server.ClientFor("es-mcd");
        var path = Path.Combine(_folder, "exchange-jwks.json");
        await File.WriteAllTextAsync(path, await client.GetStringAsync("/.well-known/jwks.json"));
        return path;
    }
}
