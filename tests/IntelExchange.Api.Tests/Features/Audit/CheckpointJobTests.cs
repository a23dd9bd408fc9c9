using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Audit;
using IntelExchange.Contracts;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>The checkpoint job (every N entries or T seconds), the witness copies on the real broker, and two instances on one PostgreSQL.</summary>
public sealed class CheckpointJobTests
{
    [Fact]
    public async Task A_checkpoint_is_signed_once_the_configured_number_of_entries_was_appended()
    {
        using var server = new ExchangeServer(new Dictionary<string, string?> { ["Audit:CheckpointEveryEntries"] = "4" });
        using var ifpi = new Partner(server, "ifpi");
        var seeded = server.LedgerSize();
        await EventuallyAsync(() => Task.FromResult(StoredCheckpoints(server)), c => c.Count > 0 && c[^1].TreeSize == seeded, TimeSpan.FromSeconds(10),
            "the checkpoint over the seeded entries");

        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(ifpi);
        }
        await Task.Delay(1500);
        Assert.Equal(seeded, StoredCheckpoints(server)[^1].TreeSize);
        await SubmitAsync(ifpi);

        var latest = await EventuallyAsync(() => Task.FromResult(StoredCheckpoints(server)), c => c[^1].TreeSize == seeded + 4, TimeSpan.FromSeconds(10),
            "a checkpoint four entries later");
        Assert.Equal(MerkleTree.Root(server.StoredEntries().Take((int)(seeded + 4)).Select(e => e.EntryHash).ToList()), latest[^1].RootHash);
    }

    [Fact]
    public async Task A_checkpoint_is_signed_after_the_configured_seconds_when_anything_was_appended()
    {
        using var server = new ExchangeServer(new Dictionary<string, string?> { ["Audit:CheckpointEverySeconds"] = "1" });
        using var ifpi = new Partner(server, "ifpi");
        await EventuallyAsync(() => Task.FromResult(StoredCheckpoints(server)), c => c.Count > 0, TimeSpan.FromSeconds(10), "the first checkpoint");
        var accepted = await SubmitAsync(ifpi);
        var size = server.LedgerSize();

        await EventuallyAsync(() => Task.FromResult(StoredCheckpoints(server)), c => c[^1].TreeSize == size, TimeSpan.FromSeconds(10), "a checkpoint covering the report");
        var count = StoredCheckpoints(server).Count;
        await Task.Delay(2500);

        Assert.Equal(count, StoredCheckpoints(server).Count);
        // The report's entry is inside the tree the latest checkpoint signs.
        var signed = StoredCheckpoints(server)[^1].TreeSize;
        Assert.Contains(server.StoredEntries(), e => e.SubjectId == accepted.ReportId.ToString() && e.Index < signed);
    }

    [Fact]
    public async Task Every_agency_receives_each_checkpoint_on_the_bus_and_it_verifies_against_the_jwks()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var indecopi = await AgencySubscriber.StartAsync(vhost, "indecopi");
        await using var esMcd = await AgencySubscriber.StartAsync(vhost, "es-mcd");
        var settings = vhost.ExchangeSettings();
        settings["Audit:CheckpointEverySeconds"] = "1";
        using var server = ExchangeServer.Postgres("witness", settings);
        using var ifpi = new Partner(server, "ifpi");
        await SubmitAsync(ifpi);
        var size = server.LedgerSize();

        var received = await EventuallyAsync(() => Task.FromResult(indecopi.Received.Checkpoints), c => c.Any(x => x.TreeSize == size),
            TimeSpan.FromSeconds(15), "indecopi's witness copy");
        await EventuallyAsync(() => Task.FromResult(esMcd.Received.Checkpoints), c => c.Any(x => x.TreeSize == size), TimeSpan.FromSeconds(15),
            "es-mcd's witness copy");

        var jwks = await AuditSteps.JwksAsync(ifpi.Http);
        var witnessed = received.Single(c => c.TreeSize == size);
        var payload = Checkpoints.Verify(witnessed.Checkpoint, jwks);
        Assert.Equal(witnessed.RootHash, payload.RootHash);
        Assert.Equal(Convert.ToHexStringLower(MerkleTree.Root(server.StoredEntries().Take((int)size).Select(e => e.EntryHash).ToList())), payload.RootHash);
    }

    [Fact]
    public async Task Two_instances_on_one_postgres_database_append_to_one_linear_chain()
    {
        var database = TestServices.PostgresDatabase("twoinst");
        var dataPath = Directory.CreateTempSubdirectory("intelx-twoinst-").FullName;
        var settings = new Dictionary<string, string?> { ["Persistence:Provider"] = "postgres", ["ConnectionStrings:IntelExchange"] = database };
        try
        {
            using var first = new ExchangeServer(settings, dataPath);
            using var second = new ExchangeServer(settings, dataPath);
            using var viaFirst = new Partner(first, "ifpi");
            using var viaSecond = new Partner(second, "ifpi");

            var statuses = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
            {
                var partner = i % 2 == 0 ? viaFirst : viaSecond;
                using var response = await partner.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
                return response.StatusCode;
            }));

            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
            var entries = first.StoredEntries();
            Assert.Equal(24, entries.Count(e => e.Kind == AuditEntryKind.ReportAccepted));
            var latest = await AuditSteps.LatestCheckpointAsync(viaSecond.Http);
            var export = LedgerVerifier.ReadExport(new MemoryStream(AuditSteps.Export(entries.Select(e => e.Entry))));
            var verification = LedgerVerifier.Verify(export, Checkpoints.Verify(latest.Checkpoint, await AuditSteps.JwksAsync(viaFirst.Http)));
            Assert.True(verification.Verified, string.Join('\n', verification.Problems));
            Assert.Equal(entries.Count, latest.TreeSize);
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public async Task The_expiry_job_s_lift_is_recorded_once_with_the_exchange_as_actor()
    {
        using var server = new ExchangeServer(new Dictionary<string, string?> { ["Cases:ExpiryIntervalSeconds"] = "1" });
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        var caseId = await OpenCaseAsync(ifpi);
        await MoveAsync(indecopi.Http, caseId, Body("under_review"));
        await MoveAsync(indecopi.Http, caseId, OrderBody(DateTimeOffset.UtcNow.AddSeconds(2)));

        var lifts = await EventuallyAsync(
            () => Task.FromResult(server.StoredEntries().Where(e => e.SubjectId == caseId.ToString()).Select(e => e.Parsed()).Where(e => e.Detail("status") == "lifted").ToList()),
            l => l.Count > 0, TimeSpan.FromSeconds(30), "the lift to be recorded");
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var lift = Assert.Single(server.StoredEntries().Select(e => e.Parsed()), e => e.Subject.Id == caseId.ToString() && e.Detail("status") == "lifted");
        Assert.Equal("exchange", lift.Actor);
        Assert.Equal("expired", lift.Detail("reason"));
        Assert.Equal("True", lift.Detail("expired"));
        Assert.Equal(lifts[0].Index, lift.Index);
    }

    [Fact]
    public async Task After_a_restart_the_chain_goes_on_from_where_it_stood()
    {
        var dataPath = Directory.CreateTempSubdirectory("intelx-restart-").FullName;
        try
        {
            long before;
            using (var first = new ExchangeServer(dataPath: dataPath))
            using (var ifpi = new Partner(first, "ifpi"))
            {
                await SubmitAsync(ifpi);
                await AuditSteps.LatestCheckpointAsync(ifpi.Http);
                before = first.LedgerSize();
            }

            using var second = new ExchangeServer(dataPath: dataPath);
            using var again = new Partner(second, "ifpi");
            await SubmitAsync(again);
            Assert.Equal(before, (await AuditSteps.LatestCheckpointAsync(again.Http)).TreeSize);
            await second.SignCheckpointNowAsync();
            var latest = await AuditSteps.LatestCheckpointAsync(again.Http);

            var entries = second.StoredEntries();
            Assert.Equal(before + 1, entries.Count);
            Assert.Equal(entries.Count, latest.TreeSize);
            var verification = LedgerVerifier.Verify(entries.Select(e => e.Entry).ToList(), Checkpoints.Verify(latest.Checkpoint, await AuditSteps.JwksAsync(again.Http)));
            Assert.True(verification.Verified, string.Join('\n', verification.Problems));
            var proof = await again.Http.GetFromJsonAsync<AuditConsistencyProof>($"/v1/audit/proofs/consistency?from={before}&to={latest.TreeSize}");
            var older = second.WithDb(db => db.AuditCheckpoints.Single(c => c.TreeSize == before));
            Assert.True(Checkpoints.AreConsistent(
                Checkpoints.Verify(older.Jws, await AuditSteps.JwksAsync(again.Http)), Checkpoints.Verify(latest.Checkpoint, await AuditSteps.JwksAsync(again.Http)), proof!));
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    private static List<AuditCheckpointRecord> StoredCheckpoints(ExchangeServer server) =>
        server.WithDb(db => db.AuditCheckpoints.OrderBy(c => c.TreeSize).ToList());
}
