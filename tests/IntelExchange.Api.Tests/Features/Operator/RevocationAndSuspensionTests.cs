using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Xunit.Abstractions;

namespace IntelExchange.Api.Tests.Features.Operator;

/// <summary>
/// Revocation and suspension take effect at once, with no restart, on connections already open, and on every instance
/// within a second (two exchanges on one PostgreSQL database: the change is made on one, refused on the other).
/// </summary>
public sealed class RevocationAndSuspensionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WithinOneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_revoked_certificate_is_refused_on_its_open_connection_by_the_next_request()
    {
        using var server = new ExchangeServer();
        using var operatorClient = server.ClientFor("operator");
        using var partner = await server.OnboardAsync(operatorClient, "revoked", ["reporter"]);
        Assert.Equal(HttpStatusCode.OK, (await partner.Http.GetAsync("/v1/partners/me")).StatusCode);
        var thumbprint = PartnerAuthentication.Sha256Thumbprint(server.LoadClientCertificate("revoked"));

        await operatorClient.DeleteAsync($"/v1/operator/tenants/revoked/certificates/{thumbprint}").ExpectAsync<OperatorCredential>(HttpStatusCode.OK);
        using var next = await partner.Http.GetAsync("/v1/partners/me");

        // A certificate the directory does not accept is answered like any unregistered one (see PartnerAuthenticationTests).
        Assert.Equal(HttpStatusCode.Forbidden, next.StatusCode);
        Assert.Contains(Problems.Unauthenticated.Type, await next.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_revoked_on_one_instance_is_refused_by_another_within_one_second()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = "postgres",
            ["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("revocation"),
        };
        using var first = new ExchangeServer(settings);
        using var second = new ExchangeServer(settings, first.DataPath);
        using var operatorClient = first.ClientFor("operator");
        using var onFirst = await first.OnboardAsync(operatorClient, "revoked", ["reporter"]);
        using var onSecond = new Partner(second, "revoked");
        await OperatorSteps.WithinAsync(WithinOneSecond, async () => !await OperatorSteps.IsRefusedAsync(onSecond.Http), "the second instance accepts the new tenant");
        var thumbprint = PartnerAuthentication.Sha256Thumbprint(first.LoadClientCertificate("revoked"));

        await operatorClient.DeleteAsync($"/v1/operator/tenants/revoked/certificates/{thumbprint}").ExpectAsync<OperatorCredential>(HttpStatusCode.OK);
        var elapsed = await OperatorSteps.WithinAsync(WithinOneSecond, () => OperatorSteps.IsRefusedAsync(onSecond.Http), "the second instance refuses");

        output.WriteLine($"revocation on instance 1 refused by instance 2 after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(await OperatorSteps.IsRefusedAsync(onFirst.Http));
    }

    [Fact]
    public async Task A_tenant_suspended_on_one_instance_is_refused_by_another_within_one_second_and_reactivation_lets_it_back()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = "postgres",
            ["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("suspension"),
        };
        using var first = new ExchangeServer(settings);
        using var second = new ExchangeServer(settings, first.DataPath);
        using var operatorClient = first.ClientFor("operator");
        using var ifpiOnSecond = new Partner(second, "ifpi");

        var suspended = await operatorClient.PostAsync("/v1/operator/tenants/ifpi/suspend", null).ExpectAsync<OperatorTenant>(HttpStatusCode.OK);
        var elapsed = await OperatorSteps.WithinAsync(WithinOneSecond, () => OperatorSteps.IsRefusedAsync(ifpiOnSecond.Http), "the second instance refuses ifpi");
        await operatorClient.PostAsync("/v1/operator/tenants/ifpi/reactivate", null).ExpectAsync<OperatorTenant>(HttpStatusCode.OK);
        await OperatorSteps.WithinAsync(WithinOneSecond, async () => !await OperatorSteps.IsRefusedAsync(ifpiOnSecond.Http), "the second instance accepts ifpi again");

        output.WriteLine($"suspension on instance 1 refused by instance 2 after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(suspended.Suspended);
        using var report = await ifpiOnSecond.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
    }

    [Fact]
    public async Task Nothing_more_is_shared_with_a_suspended_agency_and_its_reporters_fall_back_to_their_other_defaults()
    {
        using var server = new ExchangeServer();
        using var operatorClient = server.ClientFor("operator");
        using var ifpi = new Partner(server, "ifpi");
        await operatorClient.PutAgreementAsync("ifpi", "es-mcd", isDefault: true).ExpectAsync<SharingAgreementDetails>(HttpStatusCode.OK);

        await operatorClient.PostAsync("/v1/operator/tenants/es-mcd/suspend", null).ExpectAsync<OperatorTenant>(HttpStatusCode.OK);
        var named = await ProblemAssert.RefusedWithoutStoringAsync(server, Problems.RecipientNotAllowed,
            () => ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: """["es-mcd"]"""))));
        using var byDefault = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: "null")));
        var accepted = await Task.FromResult(byDefault).ExpectAsync<ReportAccepted>(HttpStatusCode.Accepted);
        using var esMcd = server.ClientFor("es-mcd");

        Assert.Contains("es-mcd", named.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["indecopi"], accepted.Cases.Select(c => c.Agency));
        Assert.True(await OperatorSteps.IsRefusedAsync(esMcd));
    }

    [Fact]
    public async Task An_operator_cannot_lock_itself_out_by_suspending_its_tenant_or_revoking_the_certificate_it_calls_with()
    {
        using var server = new ExchangeServer();
        using var operatorClient = server.ClientFor("operator");
        var own = PartnerAuthentication.Sha256Thumbprint(server.LoadClientCertificate("operator"));

        using var suspend = await operatorClient.PostAsync("/v1/operator/tenants/operator/suspend", null);
        using var revoke = await operatorClient.DeleteAsync($"/v1/operator/tenants/operator/certificates/{own}");

        await ProblemAssert.IsProblemAsync(suspend, Problems.OperatorLockout);
        await ProblemAssert.IsProblemAsync(revoke, Problems.OperatorLockout);
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync("/v1/operator/tenants")).StatusCode);
        Assert.Equal(0, server.WithDb(db => db.OperatorActions.Count()));
    }
}
