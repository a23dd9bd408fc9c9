using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.DevPki;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Operator;

/// <summary>
/// The operator API's answers and refusals. Every refusal is a problem and changes nothing: no tenant, credential, key,
/// agreement or action row appears, and the directory version does not move.
/// </summary>
public abstract class OperatorApiTests(ExchangeServer server) : IDisposable
{
    private readonly HttpClient _operator = server.ClientFor("operator");

    public void Dispose()
    {
        _operator.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    private sealed record DirectoryRows(int Tenants, int Credentials, int Keys, int Agreements, int Actions, long Version);

    private DirectoryRows Count() => server.WithDb(db => new DirectoryRows(db.Tenants.Count(), db.ClientCredentials.Count(), db.SigningKeys.Count(),
        db.SharingAgreements.Count(), db.OperatorActions.Count(), db.DirectoryStates.Single().Version));

    private async Task RefusedWithoutChangeAsync(ProblemKind kind, Func<Task<HttpResponseMessage>> send)
    {
        var before = Count();
        using var response = await send();
        await ProblemAssert.IsProblemAsync(response, kind);
        Assert.Equal(before, Count());
    }

    private async Task<string> CreateTenantAsync(params string[] roles)
    {
        var id = NewId("t");
        await _operator.CreateTenantAsync(id, "Test tenant", roles).ExpectAsync<OperatorTenant>(HttpStatusCode.Created);
        return id;
    }

    [Fact]
    public async Task Creates_a_tenant_that_is_listed_with_its_roles_and_no_credentials_yet()
    {
        var id = NewId("new");

        using var created = await _operator.CreateTenantAsync(id, "Ministerio de Cultura (prueba)", "agency", "reporter");
        var tenant = await Task.FromResult(created).ExpectAsync<OperatorTenant>(HttpStatusCode.Created);
        var details = await _operator.GetFromJsonAsync<OperatorTenantDetails>($"/v1/operator/tenants/{id}");

        Assert.Equal($"/v1/operator/tenants/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(["reporter", "agency"], tenant.Roles);
        Assert.False(tenant.Suspended);
        Assert.Equal("Ministerio de Cultura (prueba)", details!.Tenant.Name);
        Assert.Empty(details.Certificates);
        Assert.Equal(0, details.Tenant.ActiveCertificates);
    }

    [Theory]
    [InlineData("""{"id":"Upper","name":"x","roles":["reporter"]}""", "id")]
    [InlineData("""{"id":"-leading","name":"x","roles":["reporter"]}""", "id")]
    [InlineData("""{"id":"exchange","name":"x","roles":["reporter"]}""", "id")]
    [InlineData("""{"id":"ok-id","name":"","roles":["reporter"]}""", "name")]
    [InlineData("""{"id":"ok-id","name":"x","roles":[]}""", "roles")]
    [InlineData("""{"id":"ok-id","name":"x","roles":["admin"]}""", "roles[0]")]
    [InlineData("""{"id":"ok-id","name":"x","roles":["agency","agency"]}""", "roles")]
    public async Task Refuses_an_invalid_tenant_naming_the_field(string body, string field)
    {
        var before = Count();
        using var response = await _operator.PostAsync("/v1/operator/tenants", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.IsProblemAsync(response, Problems.ValidationFailed);
        Assert.Contains(field, ProblemAssert.ErrorPaths(problem));
        Assert.Equal(before, Count());
    }

    [Fact]
    public async Task Refuses_a_tenant_body_with_an_unknown_member_or_of_the_wrong_type() =>
        await RefusedWithoutChangeAsync(Problems.MalformedJson, () => _operator.PostAsync("/v1/operator/tenants",
            new StringContent("""{"id":"x1","name":"x","roles":["reporter"],"isAdmin":true}""", Encoding.UTF8, "application/json")));

    [Fact]
    public async Task Refuses_a_second_tenant_with_the_same_id()
    {
        var id = await CreateTenantAsync("reporter");

        await RefusedWithoutChangeAsync(Problems.TenantExists, () => _operator.CreateTenantAsync(id, "Again", "agency"));
    }

    [Fact]
    public async Task Registers_a_certificate_once_and_answers_a_repeat_with_the_same_pin()
    {
        var id = await CreateTenantAsync("reporter");
        using var certificate = OperatorSteps.IssueCertificate(server, $"CN={id}");

        var first = await _operator.RegisterCertificateAsync(id, certificate.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.Created);
        var actionsAfterFirst = Count().Actions;
        var again = await _operator.RegisterCertificateAsync(id, certificate.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.OK);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), first.Thumbprint);
        Assert.Equal(first, again);
        Assert.Equal(certificate.NotAfter.ToUniversalTime(), first.NotAfter.UtcDateTime);
        Assert.Equal(actionsAfterFirst, Count().Actions);
    }

    public static TheoryData<string> RefusedCertificates => ["garbage", "server-usage", "foreign-ca", "expired", "ca", "with-private-key", "two-certificates", "public-key"];

    [Theory]
    [MemberData(nameof(RefusedCertificates))]
    public async Task Refuses_a_certificate_that_could_never_authenticate_a_partner(string kind)
    {
        var id = await CreateTenantAsync("reporter");
        using var good = OperatorSteps.IssueCertificate(server, "CN=good");
        using var foreignKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreignCa = DevPkiGenerator.CreateCertificateAuthority(foreignKey, "CN=Rogue CA");
        var pem = kind switch
        {
            "garbage" => "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "server-usage" => OperatorSteps.IssueCertificate(server, "CN=server", extendedKeyUsage: "1.3.6.1.5.5.7.3.1").ExportCertificatePem(),
            "foreign-ca" => OperatorSteps.IssueCertificate(server, "CN=rogue", issuer: foreignCa).ExportCertificatePem(),
            "expired" => OperatorSteps.IssueCertificate(server, "CN=old", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)).ExportCertificatePem(),
            "ca" => OperatorSteps.PartnerCa(server).ExportCertificatePem(),
            "with-private-key" => good.ExportCertificatePem() + "\n" + good.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(),
            "two-certificates" => good.ExportCertificatePem() + "\n" + good.ExportCertificatePem(),
            _ => good.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfoPem(),
        };

        await RefusedWithoutChangeAsync(Problems.CertificateRefused, () => _operator.RegisterCertificateAsync(id, pem));
    }

    [Fact]
    public async Task Refuses_a_certificate_pinned_to_another_tenant_or_once_revoked()
    {
        var owner = await CreateTenantAsync("reporter");
        var other = await CreateTenantAsync("reporter");
        using var certificate = OperatorSteps.IssueCertificate(server, "CN=shared");
        var credential = await _operator.RegisterCertificateAsync(owner, certificate.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.Created);

        await RefusedWithoutChangeAsync(Problems.CertificateTaken, () => _operator.RegisterCertificateAsync(other, certificate.ExportCertificatePem()));
        await _operator.DeleteAsync($"/v1/operator/tenants/{owner}/certificates/{credential.Thumbprint}").ExpectAsync<OperatorCredential>(HttpStatusCode.OK);
        await RefusedWithoutChangeAsync(Problems.CertificateTaken, () => _operator.RegisterCertificateAsync(owner, certificate.ExportCertificatePem()));
    }

    [Fact]
    public async Task Answers_404_for_a_missing_tenant_and_for_a_certificate_or_key_of_another_tenant()
    {
        var owner = await CreateTenantAsync("reporter");
        var other = await CreateTenantAsync("reporter");
        using var certificate = OperatorSteps.IssueCertificate(server, "CN=mine");
        var credential = await _operator.RegisterCertificateAsync(owner, certificate.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.Created);
        var key = await _operator.RegisterSigningKeyAsync(owner, OperatorSteps.CreateSigningKey(server, owner)).ExpectAsync<OperatorSigningKey>(HttpStatusCode.Created);

        await RefusedWithoutChangeAsync(Problems.NotFound, () => _operator.RegisterCertificateAsync("no-such-tenant", certificate.ExportCertificatePem()));
        await RefusedWithoutChangeAsync(Problems.NotFound, () => _operator.DeleteAsync($"/v1/operator/tenants/{other}/certificates/{credential.Thumbprint}"));
        await RefusedWithoutChangeAsync(Problems.NotFound, () => _operator.DeleteAsync($"/v1/operator/tenants/{other}/signing-keys/{key.Kid}"));
        await RefusedWithoutChangeAsync(Problems.NotFound, () => _operator.GetAsync("/v1/operator/tenants/no-such-tenant"));
        await RefusedWithoutChangeAsync(Problems.NotFound, () => _operator.PostAsync("/v1/operator/tenants/no-such-tenant/suspend", null));
    }

    public static TheoryData<string> RefusedKeys => ["private-key", "rsa", "p384", "garbage", "certificate"];

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public async Task Refuses_a_signing_key_that_is_not_one_P256_public_key(string kind)
    {
        var id = await CreateTenantAsync("reporter");
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        var pem = kind switch
        {
            "private-key" => p256.ExportPkcs8PrivateKeyPem(),
            "rsa" => rsa.ExportSubjectPublicKeyInfoPem(),
            "p384" => p384.ExportSubjectPublicKeyInfoPem(),
            "garbage" => "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            _ => OperatorSteps.IssueCertificate(server, "CN=cert").ExportCertificatePem(),
        };

        await RefusedWithoutChangeAsync(Problems.SigningKeyRefused, () => _operator.RegisterSigningKeyAsync(id, pem));
    }

    [Fact]
    public async Task Returns_the_rfc7638_kid_of_a_signing_key_and_refuses_it_for_another_tenant_or_once_retired()
    {
        var owner = await CreateTenantAsync("reporter");
        var other = await CreateTenantAsync("reporter");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = key.ExportSubjectPublicKeyInfoPem();

        var registered = await _operator.RegisterSigningKeyAsync(owner, pem).ExpectAsync<OperatorSigningKey>(HttpStatusCode.Created);
        var again = await _operator.RegisterSigningKeyAsync(owner, pem).ExpectAsync<OperatorSigningKey>(HttpStatusCode.OK);

        Assert.Equal(Api.Security.Signing.EcKeys.Thumbprint(key.ExportParameters(false)), registered.Kid);
        Assert.Equal(registered, again);
        await RefusedWithoutChangeAsync(Problems.SigningKeyTaken, () => _operator.RegisterSigningKeyAsync(other, pem));
        await _operator.DeleteAsync($"/v1/operator/tenants/{owner}/signing-keys/{registered.Kid}").ExpectAsync<OperatorSigningKey>(HttpStatusCode.OK);
        await RefusedWithoutChangeAsync(Problems.SigningKeyTaken, () => _operator.RegisterSigningKeyAsync(owner, pem));
    }

    [Fact]
    public async Task Records_an_agreement_then_changes_whether_it_is_a_default_then_ends_it()
    {
        var reporter = await CreateTenantAsync("reporter");
        var agency = await CreateTenantAsync("agency");

        var created = await _operator.PutAgreementAsync(reporter, agency).ExpectAsync<SharingAgreementDetails>(HttpStatusCode.Created);
        var changed = await _operator.PutAgreementAsync(reporter, agency, isDefault: true).ExpectAsync<SharingAgreementDetails>(HttpStatusCode.OK);
        var listed = await _operator.GetFromJsonAsync<Page<SharingAgreementDetails>>("/v1/operator/agreements");
        await _operator.DeleteAsync($"/v1/operator/agreements/{reporter}/{agency}").ExpectAsync<SharingAgreementDetails>(HttpStatusCode.OK);

        Assert.False(created.IsDefault);
        Assert.True(changed.IsDefault);
        Assert.Contains(listed!.Items, a => a.Reporter == reporter && a.Agency == agency && a.IsDefault);
        Assert.Equal(0, server.WithDb(db => db.SharingAgreements.Count(a => a.ReporterId == reporter)));
    }

    [Theory]
    [InlineData("self")]
    [InlineData("no-reporter-role")]
    [InlineData("no-agency-role")]
    [InlineData("unknown-agency")]
    public async Task Refuses_an_agreement_between_the_wrong_parties(string kind)
    {
        var reporter = await CreateTenantAsync("reporter");
        var both = await CreateTenantAsync("reporter", "agency");
        var agencyOnly = await CreateTenantAsync("agency");
        var (from, to) = kind switch
        {
            "self" => (both, both),
            "no-reporter-role" => (agencyOnly, both),
            "no-agency-role" => (both, reporter),
            _ => (reporter, "no-such-agency"),
        };

        await RefusedWithoutChangeAsync(Problems.AgreementRefused, () => _operator.PutAgreementAsync(from, to));
    }

    [Fact]
    public async Task Lists_credentials_in_force_that_expire_within_the_window_soonest_first()
    {
        var id = await CreateTenantAsync("reporter");
        using var soon = OperatorSteps.IssueCertificate(server, "CN=soon", notAfter: DateTimeOffset.UtcNow.AddDays(10));
        using var sooner = OperatorSteps.IssueCertificate(server, "CN=sooner", notAfter: DateTimeOffset.UtcNow.AddDays(3));
        using var later = OperatorSteps.IssueCertificate(server, "CN=later", notAfter: DateTimeOffset.UtcNow.AddDays(60));
        using var revoked = OperatorSteps.IssueCertificate(server, "CN=revoked", notAfter: DateTimeOffset.UtcNow.AddDays(5));
        foreach (var certificate in new[] { soon, sooner, later, revoked })
        {
            await _operator.RegisterCertificateAsync(id, certificate.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.Created);
        }
        await _operator.DeleteAsync($"/v1/operator/tenants/{id}/certificates/{PartnerAuthentication.Sha256Thumbprint(revoked)}")
            .ExpectAsync<OperatorCredential>(HttpStatusCode.OK);

        var expiring = await _operator.GetFromJsonAsync<Page<OperatorCredential>>("/v1/operator/credentials?expiringWithin=30d&limit=500");
        var firstPage = await _operator.GetFromJsonAsync<Page<OperatorCredential>>("/v1/operator/credentials?expiringWithin=30d&limit=1");
        var secondPage = await _operator.GetFromJsonAsync<Page<OperatorCredential>>($"/v1/operator/credentials?expiringWithin=30d&limit=1&after={firstPage!.Next}");
        var all = await _operator.GetFromJsonAsync<Page<OperatorCredential>>("/v1/operator/credentials?limit=500");

        Assert.Equal(["CN=sooner", "CN=soon"], expiring!.Items.Where(c => c.Tenant == id).Select(c => c.Subject));
        Assert.All(expiring.Items, c => Assert.True(c.NotAfter <= DateTimeOffset.UtcNow.AddDays(30)));
        Assert.True(expiring.Items.Select(c => c.NotAfter).SequenceEqual(expiring.Items.Select(c => c.NotAfter).Order()));
        Assert.NotEqual(firstPage.Items[0].Thumbprint, secondPage!.Items[0].Thumbprint);
        Assert.Contains(all!.Items, c => c.Subject == "CN=later");
        Assert.DoesNotContain(all.Items, c => c.Subject == "CN=revoked");
    }

    [Theory]
    [InlineData("30")]
    [InlineData("30x")]
    [InlineData("-1d")]
    [InlineData("99999d")]
    public async Task Refuses_an_expiry_window_it_cannot_read(string window)
    {
        using var response = await _operator.GetAsync($"/v1/operator/credentials?expiringWithin={window}");

        await ProblemAssert.IsProblemAsync(response, Problems.InvalidQuery);
    }

    [Fact]
    public async Task Records_every_operator_action_with_who_what_when_and_the_target()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        var operatorThumbprint = PartnerAuthentication.Sha256Thumbprint(server.LoadClientCertificate("operator"));
        var id = await CreateTenantAsync("reporter", "agency");
        using var certificate = OperatorSteps.IssueCertificate(server, $"CN={id}");
        var credential = await _operator.RegisterCertificateAsync(id, certificate.ExportCertificatePem()).ExpectAsync<OperatorCredential>(HttpStatusCode.Created);
        var key = await _operator.RegisterSigningKeyAsync(id, OperatorSteps.CreateSigningKey(server, id)).ExpectAsync<OperatorSigningKey>(HttpStatusCode.Created);
        await _operator.PutAgreementAsync("ifpi", id).ExpectAsync<SharingAgreementDetails>(HttpStatusCode.Created);
        await _operator.PostAsync($"/v1/operator/tenants/{id}/suspend", null).ExpectAsync<OperatorTenant>(HttpStatusCode.OK);
        await _operator.PostAsync($"/v1/operator/tenants/{id}/reactivate", null).ExpectAsync<OperatorTenant>(HttpStatusCode.OK);
        await _operator.DeleteAsync($"/v1/operator/tenants/{id}/signing-keys/{key.Kid}").ExpectAsync<OperatorSigningKey>(HttpStatusCode.OK);
        await _operator.DeleteAsync($"/v1/operator/tenants/{id}/certificates/{credential.Thumbprint}").ExpectAsync<OperatorCredential>(HttpStatusCode.OK);
        await _operator.DeleteAsync($"/v1/operator/agreements/ifpi/{id}").ExpectAsync<SharingAgreementDetails>(HttpStatusCode.OK);

        var ofIfpi = await _operator.GetFromJsonAsync<Page<OperatorActionItem>>("/v1/operator/actions?tenant=ifpi&limit=500");
        var ofTenant = await _operator.GetFromJsonAsync<Page<OperatorActionItem>>($"/v1/operator/actions?tenant={id}");

        Assert.Equal(
            ["tenant.created", "certificate.registered", "signing_key.registered", "tenant.suspended", "tenant.reactivated", "signing_key.retired", "certificate.revoked"],
            ofTenant!.Items.Select(a => a.Action));
        Assert.All(ofTenant.Items, a =>
        {
            Assert.Equal("operator", a.Actor);
            Assert.Equal(operatorThumbprint, a.ActorCertificate);
            Assert.InRange(a.OccurredAt, started, DateTimeOffset.UtcNow.AddSeconds(1));
        });
        Assert.Equal(credential.Thumbprint, ofTenant.Items[1].Target);
        Assert.Equal(key.Kid, ofTenant.Items[2].Target);
        Assert.Contains("\"roles\":[\"reporter\",\"agency\"]", ofTenant.Items[0].Detail, StringComparison.Ordinal);
        Assert.Equal(["agreement.recorded", "agreement.removed"], ofIfpi!.Items.Where(a => a.Target == $"ifpi->{id}").Select(a => a.Action));
    }

    [Fact]
    public async Task Pages_through_every_tenant_by_id()
    {
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _operator.GetFromJsonAsync<Page<OperatorTenant>>($"/v1/operator/tenants?limit=2{(cursor is null ? "" : "&after=" + cursor)}");
            seen.AddRange(page!.Items.Select(t => t.Id));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(server.WithDb(db => db.Tenants.Select(t => t.Id).ToList()).Order(StringComparer.Ordinal), seen);
        Assert.Contains("es-mcd", seen);
    }
}

public sealed class OperatorApiOnSqliteTests(SqliteExchange fixture) : OperatorApiTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class OperatorApiOnPostgresTests(PostgresExchange fixture) : OperatorApiTests(fixture.Server), IClassFixture<PostgresExchange>;
