using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Audit;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>Checkpoints, inclusion and consistency proofs, and the ledger export, over real HTTPS, and who may read each.</summary>
public sealed class AuditProofTests : IClassFixture<SqliteExchange>, IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;
    private readonly HttpClient _operator;
    private readonly HttpClient _esMcd;

    public AuditProofTests(SqliteExchange fixture)
    {
        _server = fixture.Server;
        _ifpi = new Partner(_server, "ifpi");
        _operator = _server.ClientFor("operator");
        _esMcd = _server.ClientFor("es-mcd");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        _operator.Dispose();
        _esMcd.Dispose();
    }

    [Fact]
    public async Task The_latest_checkpoint_is_signed_with_a_key_of_the_jwks_over_the_root_of_the_stored_ledger()
    {
        await SubmitAsync(_ifpi);

        var checkpoint = await AuditSteps.LatestCheckpointAsync(_esMcd);
        var jwks = await AuditSteps.JwksAsync(_esMcd);
        var payload = Checkpoints.Verify(checkpoint.Checkpoint, jwks);

        var stored = _server.StoredEntries().Take((int)payload.TreeSize).Select(e => MerkleTree.LeafHash(e.Entry)).ToList();
        Assert.Equal(checkpoint.TreeSize, payload.TreeSize);
        Assert.Equal(checkpoint.RootHash, payload.RootHash);
        Assert.Equal(Convert.ToHexStringLower(MerkleTree.Root(stored)), payload.RootHash);
        Assert.InRange(payload.IssuedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Throws<CryptographicException>(() => Receipts.Verify(checkpoint.Checkpoint, jwks));
    }

    [Fact]
    public async Task A_newer_checkpoint_is_provably_consistent_with_an_older_one()
    {
        var older = await SignNewCheckpointAsync();
        await SubmitAsync(_ifpi);
        await SubmitAsync(_ifpi);
        var newer = await SignNewCheckpointAsync();
        var jwks = await AuditSteps.JwksAsync(_esMcd);

        var proof = (await _esMcd.GetFromJsonAsync<AuditConsistencyProof>($"/v1/audit/proofs/consistency?from={older.TreeSize}&to={newer.TreeSize}"))!;

        Assert.True(newer.TreeSize > older.TreeSize);
        Assert.NotEmpty(proof.Proof);
        Assert.True(Checkpoints.AreConsistent(Checkpoints.Verify(older.Checkpoint, jwks), Checkpoints.Verify(newer.Checkpoint, jwks), proof));
        var forged = Checkpoints.Verify(older.Checkpoint, jwks) with { RootHash = new string('a', 64) };
        Assert.False(Checkpoints.AreConsistent(forged, Checkpoints.Verify(newer.Checkpoint, jwks), proof));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?from=0&to=1")]
    [InlineData("?from=3&to=2")]
    [InlineData("?from=1&to=999999999")]
    [InlineData("?from=2")]
    public async Task A_consistency_proof_outside_the_ledger_is_a_400_problem(string query)
    {
        using var response = await _esMcd.GetAsync("/v1/audit/proofs/consistency" + query);

        await ProblemAssert.IsProblemAsync(response, Problems.InvalidQuery);
    }

    [Fact]
    public async Task A_party_to_an_entry_and_an_operator_get_its_inclusion_proof_and_a_stranger_gets_404()
    {
        var accepted = await SubmitAsync(_ifpi);
        var index = EntryIndexOf(accepted.ReportId);
        using var indecopi = _server.ClientFor("indecopi");

        var bySubmitter = await _ifpi.Http.GetFromJsonAsync<AuditInclusionProof>($"/v1/audit/proofs/inclusion?index={index}");
        var byAgency = await indecopi.GetAsync($"/v1/audit/proofs/inclusion?index={index}");
        var byOperator = await _operator.GetAsync($"/v1/audit/proofs/inclusion?index={index}");
        var byStranger = await _esMcd.GetAsync($"/v1/audit/proofs/inclusion?index={index}");

        var checkpoint = Checkpoints.Verify((await AuditSteps.LatestCheckpointAsync(_esMcd)).Checkpoint, await AuditSteps.JwksAsync(_esMcd));
        Assert.Equal(checkpoint.TreeSize, bySubmitter!.TreeSize);
        Assert.True(MerkleTree.VerifyInclusion(index, bySubmitter.TreeSize, MerkleTree.LeafHash(bySubmitter.Entry),
            bySubmitter.AuditPath.Select(Convert.FromHexString).ToList(), Convert.FromHexString(checkpoint.RootHash)));
        Assert.Equal(accepted.ReportId.ToString(), LedgerEntry.Parse(bySubmitter.Entry).Subject.Id);
        Assert.Equal(HttpStatusCode.OK, byAgency.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byOperator.StatusCode);
        await ProblemAssert.IsProblemAsync(byStranger, Problems.NotFound);
        Assert.DoesNotContain(accepted.ReportId.ToString(), await byStranger.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inclusion_proof_for_an_explicit_tree_size_verifies_against_that_tree()
    {
        var accepted = await SubmitAsync(_ifpi);
        var index = EntryIndexOf(accepted.ReportId);
        var size = index + 1;

        var proof = (await _ifpi.Http.GetFromJsonAsync<AuditInclusionProof>($"/v1/audit/proofs/inclusion?index={index}&treeSize={size}"))!;

        var root = MerkleTree.Root(_server.StoredEntries().Take((int)size).Select(e => e.EntryHash).ToList());
        Assert.Equal(size, proof.TreeSize);
        Assert.True(MerkleTree.VerifyInclusion(index, size, Convert.FromHexString(proof.LeafHash), proof.AuditPath.Select(Convert.FromHexString).ToList(), root));
        await ProblemAssert.IsProblemAsync(await _ifpi.Http.GetAsync($"/v1/audit/proofs/inclusion?index={index}&treeSize={index}"), Problems.InvalidQuery);
        await ProblemAssert.IsProblemAsync(await _ifpi.Http.GetAsync("/v1/audit/proofs/inclusion?index=-1"), Problems.InvalidQuery);
        await ProblemAssert.IsProblemAsync(await _ifpi.Http.GetAsync("/v1/audit/proofs/inclusion"), Problems.InvalidQuery);
        await ProblemAssert.IsProblemAsync(await _operator.GetAsync("/v1/audit/proofs/inclusion?index=99999999"), Problems.NotFound);
    }

    [Fact]
    public async Task Operators_page_through_the_whole_ledger_export_and_partners_are_refused()
    {
        await SubmitAsync(_ifpi);
        var exported = new List<AuditLedgerEntry>();
        string? after = null;
        do
        {
            var page = (await _operator.GetFromJsonAsync<Page<AuditLedgerEntry>>("/v1/audit/entries?limit=7" + (after is null ? "" : $"&after={after}")))!;
            exported.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        var stored = _server.StoredEntries();
        Assert.True(exported.Count >= stored.Count);
        Assert.Equal(stored.Select(e => e.Entry), exported.Take(stored.Count).Select(e => e.Entry));
        Assert.All(exported, e => Assert.Equal(Convert.ToHexStringLower(MerkleTree.LeafHash(e.Entry)), e.EntryHash));
        await ProblemAssert.IsProblemAsync(await _ifpi.Http.GetAsync("/v1/audit/entries"), Problems.Forbidden);
        await ProblemAssert.IsProblemAsync(await _operator.GetAsync("/v1/audit/entries?after=forged.cursor"), Problems.InvalidCursor);
        await ProblemAssert.IsProblemAsync(await _operator.GetAsync("/v1/audit/entries?limit=501"), Problems.InvalidQuery);
    }

    [Fact]
    public async Task A_new_checkpoint_is_sent_to_every_agency_through_the_outbox()
    {
        await SubmitAsync(_ifpi);

        var checkpoint = await SignNewCheckpointAsync();

        var sent = _server.WithDb(db => db.OutboxMessages.Where(m => m.MessageType == nameof(AuditCheckpointIssued)).ToList())
            .Select(m => (m.Destination, Message: JsonSerializer.Deserialize<AuditCheckpointIssued>(m.Body, Outbox.MessageJson)!))
            .Where(m => m.Message.TreeSize == checkpoint.TreeSize).ToList();
        Assert.Equal(["es-mcd", "indecopi"], sent.Select(m => m.Destination).Order(StringComparer.Ordinal));
        Assert.All(sent, m => Assert.Equal(checkpoint.Checkpoint, m.Message.Checkpoint));
    }

    /// <summary>Signs a checkpoint of the ledger as it now stands, as the job would, and returns it as the API serves it.</summary>
    private async Task<AuditCheckpoint> SignNewCheckpointAsync()
    {
        await _server.SignCheckpointNowAsync();
        var latest = await AuditSteps.LatestCheckpointAsync(_esMcd);
        Assert.Equal(_server.LedgerSize(), latest.TreeSize);
        return latest;
    }

    private long EntryIndexOf(Guid reportId) =>
        _server.StoredEntries().Single(e => e.Kind == AuditEntryKind.ReportAccepted && e.SubjectId == reportId.ToString()).Index;
}
