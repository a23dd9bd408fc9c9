using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Tests.Features.Operator;
using IntelExchange.Api.Tests.Support;
using static IntelExchange.Api.Tests.Features.Safeguards.SafeguardSteps;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>Operator actions and safeguard overrides join the tamper-evident ledger, in the transaction of the change.</summary>
public abstract class LedgerWiringTests(ExchangeServer server)
{
    private readonly ExchangeServer _server = server;

    private List<(AuditEntryKind Kind, string Actor, string SubjectId, JsonElement Details)> Entries(AuditEntryKind kind) =>
        _server.WithLedger(db => db.AuditEntries.Where(e => e.Kind == kind).OrderBy(e => e.Index).ToList())
            .Select(e => (e.Kind, e.Actor, e.SubjectId, JsonDocument.Parse(e.Entry).RootElement.GetProperty("details").Clone())).ToList();

    [Fact]
    public async Task Every_operator_change_to_the_directory_and_the_protected_lists_is_a_ledger_entry()
    {
        using var operatorClient = _server.ClientFor("operator");
        var tenant = "led-" + Guid.NewGuid().ToString("N")[..8];

        using (var created = await operatorClient.CreateTenantAsync(tenant, "Ledger Test", "reporter"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using (var agreement = await operatorClient.PutAsJsonAsync("/v1/operator/agreements", new { reporter = tenant, agency = "indecopi", isDefault = true }))
        {
            Assert.True(agreement.IsSuccessStatusCode, await agreement.Content.ReadAsStringAsync());
        }
        using (var suspended = await operatorClient.PostAsync($"/v1/operator/tenants/{tenant}/suspend", null))
        {
            Assert.Equal(HttpStatusCode.OK, suspended.StatusCode);
        }
        var domain = Unique("protected");
        using (var added = await operatorClient.PostAsync("/v1/operator/protected-infrastructure",
                   new StringContent($$"""{ "kind": "domain", "value": "{{domain}}", "reason": "Shared host of many sites" }""", Encoding.UTF8, "application/json")))
        {
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        }

        Assert.Contains(Entries(AuditEntryKind.TenantRegistered), e => e.SubjectId == tenant && e.Actor == "operator");
        Assert.Contains(Entries(AuditEntryKind.AgreementSet), e => e.SubjectId == $"{tenant}>indecopi");
        Assert.Contains(Entries(AuditEntryKind.TenantChanged), e => e.SubjectId == tenant && e.Details.GetProperty("action").GetString() == "tenant.suspended");
        Assert.Contains(Entries(AuditEntryKind.ProtectedInfrastructureChanged), e => e.Details.GetProperty("target").GetString() == domain);
        Assert.Equal(_server.WithLedger(db => db.AuditEntries.Count()), _server.WithLedger(db => db.AuditEntries.Max(e => e.Index)) + 1);
    }

    [Fact]
    public async Task A_safeguard_override_is_recorded_with_its_reason_and_who_gave_it()
    {
        using var ifpi = new Partner(_server, "ifpi");
        using var indecopi = new Partner(_server, "indecopi");
        var caseId = CaseOf(await SubmitAsync(ifpi, Domain(Unique()), Domain("drive.usercontent.google.com")));
        await MoveAsync(indecopi.Http, caseId, UnderReview);

        await MoveAsync(indecopi.Http, caseId, Order(new { reason = "Court order names this Drive folder." }));

        var overrides = Entries(AuditEntryKind.SafeguardOverridden).Where(e => e.SubjectId == caseId.ToString()).ToList();
        var entry = Assert.Single(overrides);
        Assert.Equal("indecopi", entry.Actor);
        Assert.Equal("Court order names this Drive folder.", entry.Details.GetProperty("reason").GetString());
        Assert.Equal([1], entry.Details.GetProperty("flaggedTargetsOrdered").EnumerateArray().Select(i => i.GetInt32()));
    }
}

public sealed class LedgerWiringOnSqliteTests(SqliteExchange fixture) : LedgerWiringTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class LedgerWiringOnPostgresTests(PostgresExchange fixture) : LedgerWiringTests(fixture.Server), IClassFixture<PostgresExchange>;
