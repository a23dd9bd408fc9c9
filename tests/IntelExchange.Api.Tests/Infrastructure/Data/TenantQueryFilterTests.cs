using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Tests.Features.Operator;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Infrastructure.Data;

/// <summary>
/// Tenant isolation is a property of the data layer: a unit of work in a tenant's data scope sees only that tenant's
/// rows, whatever the query, and one whose scope was never set sees none. Checked directly on the DbContext, with no
/// handler in between, on both databases.
/// </summary>
public abstract class TenantQueryFilterTests(ExchangeServer server) : IAsyncLifetime
{
    private Guid _reportId;
    private Guid _caseId;

    public async Task InitializeAsync()
    {
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = server.ClientFor("indecopi");
        var accepted = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: """["indecopi","es-mcd"]""")))
            .ExpectAsync<ReportAccepted>(HttpStatusCode.Accepted);
        _reportId = accepted.ReportId;
        _caseId = accepted.Cases.Single(c => c.Agency == "indecopi").CaseId;
        var move = new HttpRequestMessage(HttpMethod.Post, $"/v1/cases/{_caseId}/status") { Content = JsonContent.Create(new { status = "under_review" }) };
        move.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        (await indecopi.SendAsync(move)).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private T As<T>(string? tenant, Func<ExchangeDb, T> query, params string[] roles)
    {
        using var scope = server.Services.CreateScope();
        if (tenant is not null)
        {
            var claims = new List<Claim> { new(ExchangeClaims.Tenant, tenant) };
            claims.AddRange(roles.Select(role => new Claim(ExchangeClaims.Role, role)));
            scope.ServiceProvider.GetRequiredService<DataScope>().ForCaller(new ClaimsPrincipal(new ClaimsIdentity(claims, "test")));
        }
        return query(scope.ServiceProvider.GetRequiredService<ExchangeDb>());
    }

    [Fact]
    public void A_report_and_its_cases_are_seen_by_the_submitter_whole_and_by_each_agency_through_its_own_case_only()
    {
        var bySubmitter = As("ifpi", db => db.Cases.Where(c => c.ReportId == _reportId).Select(c => c.AgencyId).OrderBy(a => a).ToList());
        var byIndecopi = As("indecopi", db => db.Reports.Where(r => r.Id == _reportId).Include(r => r.Cases).Single().Cases.Select(c => c.AgencyId).ToList());
        var historyByIndecopi = As("indecopi", db => db.CaseEvents.Count(h => h.CaseId == _caseId));
        var historyByEsMcd = As("es-mcd", db => db.CaseEvents.Count(h => h.CaseId == _caseId));

        Assert.Equal(["es-mcd", "indecopi"], bySubmitter);
        Assert.Equal(["indecopi"], byIndecopi);
        Assert.Equal(2, historyByIndecopi);
        Assert.Equal(0, historyByEsMcd);
    }

    [Fact]
    public void A_tenant_with_no_part_in_a_report_sees_none_of_its_rows_even_by_id()
    {
        server.WithDb(db => db.Tenants.Any(t => t.Id == "outsider")
            ? 0
            : db.Tenants.Add(new Tenant { Id = "outsider", Name = "Outsider", Roles = TenantRoles.Reporter | TenantRoles.Agency }).Context.SaveChanges());

        var seen = As("outsider", db => new
        {
            Report = db.Reports.Any(r => r.Id == _reportId),
            Cases = db.Cases.Count(c => c.ReportId == _reportId),
            Outbox = db.OutboxMessages.Count(),
            Idempotency = db.IdempotencyRecords.Count(),
            Deliveries = db.CallbackDeliveries.Count(),
            Quota = db.TargetQuotaUsage.Count(),
            OtherTenants = db.Tenants.Count(t => t.Id != "outsider"),
            Credentials = db.ClientCredentials.Count(),
            Actions = db.OperatorActions.Count(),
        });

        Assert.False(seen.Report);
        Assert.Equal(0, seen.Cases);
        Assert.Equal(0, seen.Outbox + seen.Idempotency + seen.Deliveries + seen.Quota + seen.OtherTenants + seen.Credentials + seen.Actions);
        Assert.True(server.WithDb(db => db.IdempotencyRecords.Count()) > 0, "the system scope sees the rows the outsider cannot");
    }

    [Fact]
    public void A_unit_of_work_whose_scope_was_never_set_sees_no_row_of_any_tenant()
    {
        var seen = As(null, db => new[]
        {
            db.Reports.Count(), db.Cases.Count(), db.CaseEvents.Count(), db.OutboxMessages.Count(), db.IdempotencyRecords.Count(),
            db.WebhookEndpoints.Count(), db.CallbackDeliveries.Count(), db.TargetQuotaUsage.Count(), db.Tenants.Count(),
            db.ClientCredentials.Count(), db.SigningKeys.Count(), db.SharingAgreements.Count(), db.OperatorActions.Count(),
        });

        Assert.All(seen, count => Assert.Equal(0, count));
        Assert.True(server.WithDb(db => db.Reports.Count()) > 0);
    }

    [Fact]
    public void An_operator_sees_the_directory_of_every_tenant_but_no_tenants_reports_or_cases()
    {
        var seen = As("operator", db => (Tenants: db.Tenants.Count(), Keys: db.SigningKeys.Count(), Reports: db.Reports.Count(), Cases: db.Cases.Count()), "operator");
        var ifpiSees = As("ifpi", db => (Tenants: db.Tenants.Select(t => t.Id).ToList(), Keys: db.SigningKeys.Count(k => k.TenantId != "ifpi")), "reporter");

        Assert.True(seen.Tenants >= 4);
        Assert.True(seen.Keys >= 4);
        Assert.Equal(0, seen.Reports + seen.Cases);
        Assert.Equal(["ifpi"], ifpiSees.Tenants);
        Assert.Equal(0, ifpiSees.Keys);
    }

    [Fact]
    public void A_data_scope_once_set_cannot_be_switched_to_another_tenant_or_widened()
    {
        using var scope = server.Services.CreateScope();
        var dataScope = scope.ServiceProvider.GetRequiredService<DataScope>();
        dataScope.ForCaller(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ExchangeClaims.Tenant, "ifpi")], "test")));

        Assert.Throws<InvalidOperationException>(dataScope.ForSystem);
        Assert.Throws<InvalidOperationException>(() =>
            dataScope.ForCaller(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ExchangeClaims.Tenant, "indecopi")], "test"))));
        Assert.Equal("ifpi", dataScope.TenantId);
    }
}

public sealed class TenantQueryFilterOnSqliteTests(SqliteExchange fixture) : TenantQueryFilterTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class TenantQueryFilterOnPostgresTests(PostgresExchange fixture) : TenantQueryFilterTests(fixture.Server), IClassFixture<PostgresExchange>;
