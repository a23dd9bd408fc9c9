using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Audit;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>What the audit tests read: the stored ledger (its exact entry bytes), checkpoints and the exchange's JWKS.</summary>
internal static class AuditSteps
{
    public static List<AuditEntryRecord> StoredEntries(this ExchangeServer server) =>
        server.WithLedger(db => db.AuditEntries.OrderBy(e => e.Index).ToList());

    public static long LedgerSize(this ExchangeServer server) => server.WithLedger(db => db.AuditEntries.LongCount());

    public static LedgerEntry Parsed(this AuditEntryRecord record) => LedgerEntry.Parse(record.Entry);

    public static string Detail(this LedgerEntry entry, string name) => entry.Details.GetProperty(name).ToString();

    public static async Task<JsonWebKeySet> JwksAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonWebKeySet>("/.well-known/jwks.json"))!;

    public static async Task<AuditCheckpoint> LatestCheckpointAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/v1/audit/checkpoints/latest");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AuditCheckpoint>())!;
    }

    /// <summary>Signs a checkpoint of the ledger as it now stands, as the job does when it is due.</summary>
    public static async Task SignCheckpointNowAsync(this ExchangeServer server)
    {
        using var scope = server.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AuditCheckpoints>()
            .IssueAsync(scope.ServiceProvider.GetRequiredService<ExchangeDb>(), CancellationToken.None);
    }

    /// <summary>The ledger as an export file holds it: each entry's exact bytes on a line of its own.</summary>
    public static byte[] Export(IEnumerable<byte[]> entries) => entries.SelectMany(e => e.Append((byte)'\n')).ToArray();
}
