using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Features.Operator;

/// <summary>A partner joins while the exchange runs: created, credentialed and connected by the operator API alone.</summary>
public sealed class OnboardingTests
{
    [Fact]
    public async Task A_new_reporter_joins_live_and_its_first_signed_report_reaches_the_agency_without_a_restart()
    {
        using var server = new ExchangeServer();
        using var operatorClient = server.ClientFor("operator");
        using var indecopi = new Partner(server, "indecopi");

        using var promusicae = await server.OnboardAsync(operatorClient, "promusicae", ["reporter"], ("promusicae", "indecopi", true));
        var identity = await promusicae.Http.GetFromJsonAsync<PartnerIdentity>("/v1/partners/me");
        using var response = await promusicae.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: "null")));
        var accepted = await Task.FromResult(response).ExpectAsync<ReportAccepted>(HttpStatusCode.Accepted);

        Assert.Equal("promusicae", identity!.TenantId);
        Assert.Equal(["reporter"], identity.Roles);
        Assert.Equal("indecopi", Assert.Single(accepted.Cases).Agency);
        IntelItem? shared = null;
        await OperatorSteps.WithinAsync(TimeSpan.FromSeconds(10), async () =>
        {
            var feed = await indecopi.Http.GetFromJsonAsync<Page<IntelItem>>("/v1/intel?limit=500");
            shared = feed!.Items.SingleOrDefault(item => item.ReportId == accepted.ReportId);
            return shared is not null;
        }, "the report in the agency's feed");
        Assert.Equal("promusicae", shared!.Submitter);
        var details = await indecopi.Http.GetFromJsonAsync<ReportDetails>($"/v1/reports/{accepted.ReportId}");
        Assert.Equal(promusicae.Kid, details!.SigningKeyId);
    }

    [Fact]
    public async Task A_new_agency_created_on_one_instance_receives_on_its_own_queue_a_report_submitted_through_another()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        var settings = vhost.ExchangeSettings();
        settings["Persistence:Provider"] = "postgres";
        settings["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("onboarding");
        using var first = new ExchangeServer(settings);
        using var second = new ExchangeServer(settings, first.DataPath);
        using var operatorClient = first.ClientFor("operator");
        using var ifpiOnSecond = new Partner(second, "ifpi");

        using var ministry = await first.OnboardAsync(operatorClient, "es-cultura", ["reporter", "agency"], ("ifpi", "es-cultura", false));
        await using var subscriber = await AgencySubscriber.StartAsync(vhost, "es-cultura");
        // The second instance learns of the new agency and its agreement from its directory poll, within a second.
        await OperatorSteps.WithinAsync(TimeSpan.FromSeconds(1),
            () => Task.FromResult(second.Services.GetRequiredService<TenantDirectory>().Current.MaySend("ifpi", "es-cultura")),
            "the second instance sees the agreement");
        using var response = await ifpiOnSecond.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: """["es-cultura"]""")));
        var accepted = await Task.FromResult(response).ExpectAsync<ReportAccepted>(HttpStatusCode.Accepted);

        Assert.True(await subscriber.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(15)), "the ministry's subscriber received nothing");
        var received = Assert.Single(subscriber.Received.Reports);
        Assert.Equal(accepted.ReportId, received.ReportId);
        Assert.Equal("es-cultura", received.Agency);
        using var feed = await ministry.Http.GetAsync("/v1/intel");
        Assert.Contains(accepted.ReportId.ToString(), await feed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partner_rotates_its_certificate_with_overlap_and_the_old_one_is_refused_once_revoked()
    {
        using var server = new ExchangeServer();
        using var operatorClient = server.ClientFor("operator");
        using var partner = await server.OnboardAsync(operatorClient, "rotating", ["reporter"], ("rotating", "indecopi", true));
        using var next = OperatorSteps.IssueCertificate(server, "CN=rotating, O=Test partner, OU=2027");
        var oldThumbprint = PartnerAuthentication.Sha256Thumbprint(server.LoadClientCertificate("rotating"));

        await operatorClient.RegisterCertificateAsync("rotating", next.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.Created);
        using var nextClient = server.ClientWith(next);
        var bothWork = (await partner.Http.GetAsync("/v1/partners/me")).StatusCode == HttpStatusCode.OK
                       && (await nextClient.GetAsync("/v1/partners/me")).StatusCode == HttpStatusCode.OK;
        var tenant = await operatorClient.GetFromJsonAsync<OperatorTenantDetails>("/v1/operator/tenants/rotating");
        await operatorClient.DeleteAsync($"/v1/operator/tenants/rotating/certificates/{oldThumbprint.ToUpperInvariant()}")
            .ExpectAsync<OperatorCredential>(HttpStatusCode.OK);

        Assert.True(bothWork, "both certificates must work during the overlap");
        Assert.Equal(2, tenant!.Tenant.ActiveCertificates);
        await OperatorSteps.WithinAsync(TimeSpan.FromSeconds(1), () => OperatorSteps.IsRefusedAsync(partner.Http), "the old certificate is refused");
        Assert.Equal(HttpStatusCode.OK, (await nextClient.GetAsync("/v1/partners/me")).StatusCode);
    }

    [Fact]
    public async Task A_retired_signing_key_signs_nothing_more_while_the_tenants_next_key_does()
    {
        using var server = new ExchangeServer();
        using var operatorClient = server.ClientFor("operator");
        using var partner = await server.OnboardAsync(operatorClient, "keyroll", ["reporter"], ("keyroll", "indecopi", true));
        var oldKid = partner.Kid;
        var nextKey = await operatorClient.RegisterSigningKeyAsync("keyroll", OperatorSteps.CreateSigningKey(server, "keyroll"))
            .ExpectAsync<OperatorSigningKey>(HttpStatusCode.Created);
        File.WriteAllText(Path.Combine(server.DevPki, "keyroll", "signing.kid"), nextKey.Kid);
        using var rolled = new Partner(server, "keyroll");

        await operatorClient.DeleteAsync($"/v1/operator/tenants/keyroll/signing-keys/{oldKid}").ExpectAsync<OperatorSigningKey>(HttpStatusCode.OK);
        using var byOldKey = await partner.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: "null")));
        using var byNextKey = await rolled.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: "null")));

        await ProblemAssert.IsProblemAsync(byOldKey, Problems.SignatureKeyUnknown);
        Assert.Equal(HttpStatusCode.Accepted, byNextKey.StatusCode);
        var keys = await operatorClient.GetFromJsonAsync<Page<OperatorSigningKey>>("/v1/operator/tenants/keyroll/signing-keys");
        Assert.NotNull(Assert.Single(keys!.Items, k => k.Kid == oldKid).RetiredAt);
        Assert.Null(Assert.Single(keys.Items, k => k.Kid == nextKey.Kid).RetiredAt);
    }
}
