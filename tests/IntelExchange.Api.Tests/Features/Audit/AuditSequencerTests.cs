using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Audit;
using IntelExchange.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>
/// Writes record their entries as pending, with no ledger lock; each instance's sequencer chains them after commit.
/// Two instances on one PostgreSQL database, both sequencing while reports arrive on both, chain every entry exactly
/// once, in one gapless chain.
/// </summary>
public sealed class AuditSequencerTests
{
    [Fact]
    public async Task Two_instances_sequencing_at_once_chain_every_entry_exactly_once()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = "postgres",
            ["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("sequencer"),
            // Each instance's background job runs every 50 ms, racing the other's and the explicit catch-ups below.
            ["Audit:SequenceEveryMilliseconds"] = "50",
        };
        var dataPath = Path.Combine(Path.GetTempPath(), "intelx-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var first = new ExchangeServer(settings, dataPath);
            using var second = new ExchangeServer(settings, dataPath);
            var instances = new[] { first, second };
            var before = first.WithLedger(db => db.AuditEntries.LongCount());

            using var stop = new CancellationTokenSource();
            var racers = instances.Select(server => Task.Run(async () =>
            {
                var sequencer = server.Services.GetRequiredService<AuditSequencer>();
                while (!stop.IsCancellationRequested)
                {
                    await sequencer.CatchUpAsync(CancellationToken.None);
                }
            })).ToList();
            var reportIds = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            {
                using var partner = new Partner(instances[i % 2], "ifpi");
                using var response = await partner.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                return (await response.Content.ReadFromJsonAsync<ReportAccepted>())!.ReportId.ToString();
            }));
            await stop.CancelAsync();
            await Task.WhenAll(racers);

            // A read of the ledger on either instance sees every accepted report: it catches the sequencer up first.
            var entries = second.WithLedger(db => db.AuditEntries.OrderBy(e => e.Index).ToList());
            Assert.Equal(0, first.WithDb(db => db.Set<AuditPendingEntry>().Count()));
            Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => (long)i), entries.Select(e => e.Index));
            Assert.Equal(before + reportIds.Length, entries.Count);
            var accepted = entries.Where(e => e.Kind == AuditEntryKind.ReportAccepted).Select(e => e.SubjectId).ToList();
            Assert.All(reportIds, id => Assert.Single(accepted, subject => subject == id));
            var verification = LedgerVerifier.Verify(entries.Select(e => e.Entry).ToList(), new AuditCheckpointPayload
            {
                TreeSize = entries.Count,
                RootHash = Convert.ToHexStringLower(MerkleTree.Root(entries.Select(e => e.EntryHash).ToList())),
                IssuedAt = DateTimeOffset.UtcNow,
            });
            Assert.True(verification.Verified, string.Join('\n', verification.Problems));
        }
        finally
        {
            try
            {
                Directory.Delete(dataPath, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
