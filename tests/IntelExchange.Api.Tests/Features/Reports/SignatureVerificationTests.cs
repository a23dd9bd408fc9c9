using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;

namespace IntelExchange.Api.Tests.Features.Reports;

/// <summary>
/// Every way a detached JWS can be wrong, sent over real mTLS. Each refusal names its own problem type and stores
/// nothing. Runs on SQLite and on PostgreSQL (the jti replay store is a unique index, so the database matters).
/// </summary>
public abstract class SignatureVerificationTests : IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;

    protected SignatureVerificationTests(ExchangeServer server)
    {
        _server = server;
        _ifpi = new Partner(server, "ifpi");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        GC.SuppressFinalize(this);
    }

    private static byte[] NewBody() => SampleReports.Bytes(SampleReports.Json());

    private Task RefusedAsync(ProblemKind kind, byte[] body, string? signature) =>
        ProblemAssert.RefusedWithoutStoringAsync(_server, kind, () => _ifpi.PostRawAsync(body, signature, Guid.NewGuid().ToString()));

    [Fact]
    public async Task Accepts_a_correctly_signed_report_so_the_refusals_below_are_about_the_signature()
    {
        var body = NewBody();

        using var response = await _ifpi.PostRawAsync(body, _ifpi.Sign(body), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Refuses_a_body_changed_by_one_character_after_signing()
    {
        var body = NewBody();
        var signature = _ifpi.Sign(body);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"tlp\": \"amber\"", "\"tlp\": \"clear\"", StringComparison.Ordinal));
        Assert.NotEqual(body, tampered);

        await RefusedAsync(Problems.SignatureInvalid, tampered, signature);
    }

    [Fact]
    public async Task Refuses_a_body_reformatted_after_signing_because_the_exact_bytes_are_signed()
    {
        var body = NewBody();
        var signature = _ifpi.Sign(body);
        var reserialized = Encoding.UTF8.GetBytes(JsonNode.Parse(body)!.ToJsonString());

        await RefusedAsync(Problems.SignatureInvalid, reserialized, signature);
    }

    [Fact]
    public async Task Refuses_a_protected_header_changed_after_signing()
    {
        var body = NewBody();
        var parts = _ifpi.Sign(body).Split('.');
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!;
        header["jti"] = Guid.NewGuid().ToString();
        var forged = JwsForgery.Encode(header.ToJsonString()) + ".." + parts[2];

        await RefusedAsync(Problems.SignatureInvalid, body, forged);
    }

    [Fact]
    public async Task Refuses_a_valid_signature_of_another_body()
    {
        var signed = NewBody();
        var sent = NewBody();

        await RefusedAsync(Problems.SignatureInvalid, sent, _ifpi.Sign(signed));
    }

    [Fact]
    public async Task Refuses_a_signature_in_der_form_instead_of_the_jws_r_s_concatenation()
    {
        var body = NewBody();
        var encodedHeader = Base64Url.EncodeToString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(ReportSigning.Header("ifpi", _ifpi.Kid)));
        var der = _ifpi.SigningKey.SignData(JwsForgery.SigningInput(encodedHeader, body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        await RefusedAsync(Problems.SignatureInvalid, body, encodedHeader + ".." + Base64Url.EncodeToString(der));
    }

    [Fact]
    public async Task Refuses_another_tenants_key_and_kid_even_when_the_signature_verifies()
    {
        using var esMcd = new Partner(_server, "es-mcd");
        var body = NewBody();
        var signature = ReportSigning.Sign(body, esMcd.SigningKey, ReportSigning.Header("ifpi", esMcd.Kid));

        await RefusedAsync(Problems.SignatureKeyUnknown, body, signature);
    }

    [Fact]
    public async Task Refuses_the_callers_own_kid_over_a_signature_made_with_another_tenants_key()
    {
        using var esMcd = new Partner(_server, "es-mcd");
        var body = NewBody();
        var signature = ReportSigning.Sign(body, esMcd.SigningKey, ReportSigning.Header("ifpi", _ifpi.Kid));

        await RefusedAsync(Problems.SignatureInvalid, body, signature);
    }

    [Fact]
    public async Task Refuses_a_kid_that_is_not_registered()
    {
        var body = NewBody();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await RefusedAsync(Problems.SignatureKeyUnknown, body, ReportSigning.Sign(body, stranger, ReportSigning.Header("ifpi", "unregistered-kid")));
    }

    [Fact]
    public async Task Refuses_a_header_without_kid()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureKeyUnknown, body, _ifpi.Sign(body, h => h.Remove("kid")));
    }

    [Fact]
    public async Task Refuses_an_iss_that_names_another_tenant_than_the_client_certificate()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureIssuerMismatch, body, _ifpi.Sign(body, h => h["iss"] = "indecopi"));
    }

    [Fact]
    public async Task Refuses_a_header_without_iss()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureIssuerMismatch, body, _ifpi.Sign(body, h => h.Remove("iss")));
    }

    [Theory]
    [InlineData(-360)]
    [InlineData(360)]
    [InlineData(-86_400)]
    [InlineData(86_400)]
    public async Task Refuses_an_iat_more_than_300_seconds_from_the_exchanges_clock(int offsetSeconds)
    {
        var body = NewBody();
        var iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + offsetSeconds;

        await RefusedAsync(Problems.SignatureStale, body, _ifpi.Sign(body, h => h["iat"] = iat));
    }

    [Theory]
    [InlineData(-240)]
    [InlineData(240)]
    public async Task Accepts_an_iat_within_the_allowed_clock_skew(int offsetSeconds)
    {
        var body = NewBody();
        var iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + offsetSeconds;

        using var response = await _ifpi.SubmitAsync(body, _ifpi.Sign(body, h => h["iat"] = iat));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Refuses_a_header_without_iat()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureStale, body, _ifpi.Sign(body, h => h.Remove("iat")));
    }

    [Fact]
    public async Task Refuses_a_reused_jti_on_another_body_with_409_and_keeps_only_the_first_report()
    {
        var jti = Guid.NewGuid().ToString();
        var first = NewBody();
        var second = NewBody();
        using var accepted = await _ifpi.SubmitAsync(first, _ifpi.Sign(first, h => h["jti"] = jti));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        await RefusedAsync(Problems.SignatureReplayed, second, _ifpi.Sign(second, h => h["jti"] = jti));

        Assert.Equal(1, _server.WithDb(db => db.Reports.Count(r => r.TenantId == "ifpi" && r.Jti == jti)));
    }

    [Fact]
    public async Task Refuses_a_replayed_signature_sent_under_a_new_idempotency_key()
    {
        var body = NewBody();
        var signature = _ifpi.Sign(body);
        using var accepted = await _ifpi.SubmitAsync(body, signature);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        await RefusedAsync(Problems.SignatureReplayed, body, signature);
    }

    [Fact]
    public async Task Accepts_a_jti_already_used_by_another_tenant_because_jti_is_unique_per_tenant()
    {
        await _server.EnsureAgreementAsync("es-mcd", "indecopi");
        using var esMcd = new Partner(_server, "es-mcd");
        var jti = Guid.NewGuid().ToString();
        var first = NewBody();
        var second = NewBody();

        using var byIfpi = await _ifpi.SubmitAsync(first, _ifpi.Sign(first, h => h["jti"] = jti));
        using var byEsMcd = await esMcd.SubmitAsync(second, esMcd.Sign(second, h => h["jti"] = jti));

        Assert.Equal(HttpStatusCode.Accepted, byIfpi.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, byEsMcd.StatusCode);
        Assert.Equal(2, _server.WithDb(db => db.Reports.Count(r => r.Jti == jti)));
    }

    [Fact]
    public async Task Refuses_a_signing_key_once_it_is_retired_without_a_restart()
    {
        using var rotated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = await _server.RegisterSigningKeyAsync("ifpi", rotated);
        var before = NewBody();
        using var accepted = await _ifpi.SubmitAsync(before, ReportSigning.Sign(before, rotated, ReportSigning.Header("ifpi", kid)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        await _server.RetireSigningKeyAsync(kid);
        var after = NewBody();

        await RefusedAsync(Problems.SignatureKeyUnknown, after, ReportSigning.Sign(after, rotated, ReportSigning.Header("ifpi", kid)));
    }

    [Fact]
    public async Task Refuses_a_jti_longer_than_200_characters()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureMalformed, body, _ifpi.Sign(body, h => h["jti"] = new string('j', 201)));
    }

    [Fact]
    public async Task Refuses_alg_none_with_an_empty_signature()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureMalformed, body, JwsForgery.Encode(JwsForgery.Header(_ifpi, alg: "none")) + "..");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("ES384")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("es256")]
    public async Task Refuses_any_alg_other_than_es256_even_with_a_valid_es256_signature(string alg)
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureAlgorithmRefused, body, JwsForgery.Es256(JwsForgery.Header(_ifpi, alg: alg), body, _ifpi.SigningKey));
    }

    [Fact]
    public async Task Refuses_hs256_keyed_with_the_public_key_bytes()
    {
        var body = NewBody();
        var publicKey = Encoding.ASCII.GetBytes(_ifpi.SigningKey.ExportSubjectPublicKeyInfoPem());
        var spki = _ifpi.SigningKey.ExportSubjectPublicKeyInfo();

        await RefusedAsync(Problems.SignatureAlgorithmRefused, body, JwsForgery.Hs256(JwsForgery.Header(_ifpi, alg: "HS256"), body, publicKey));
        await RefusedAsync(Problems.SignatureAlgorithmRefused, body, JwsForgery.Hs256(JwsForgery.Header(_ifpi, alg: "HS256"), body, spki));
    }

    [Theory]
    [InlineData("""["iat","iss","jti","exp"]""")]
    [InlineData("""["http://openbanking.org.uk/tan"]""")]
    [InlineData("[]")]
    public async Task Refuses_a_crit_list_naming_what_the_exchange_does_not_understand(string crit)
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureCriticalUnknown, body, JwsForgery.Es256(JwsForgery.Header(_ifpi, extra: $",\"crit\":{crit}"), body, _ifpi.SigningKey));
    }

    [Fact]
    public async Task Accepts_a_header_without_crit()
    {
        var body = NewBody();

        using var response = await _ifpi.SubmitAsync(body, JwsForgery.Es256(JwsForgery.Header(_ifpi), body, _ifpi.SigningKey));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData(""","b64":false,"crit":["b64"]""")]
    [InlineData(""","b64":false""")]
    public async Task Refuses_b64_false_even_when_signed_over_the_raw_body(string extra)
    {
        var body = NewBody();
        var encodedHeader = JwsForgery.Encode(JwsForgery.Header(_ifpi, extra: extra));
        var unencodedInput = Encoding.ASCII.GetBytes(encodedHeader + ".").Concat(body).ToArray();
        var signature = _ifpi.SigningKey.SignData(unencodedInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        await RefusedAsync(Problems.SignatureCriticalUnknown, body, encodedHeader + ".." + Base64Url.EncodeToString(signature));
    }

    [Fact]
    public async Task Refuses_a_correctly_signed_jws_whose_payload_segment_is_not_empty()
    {
        var body = NewBody();
        var parts = _ifpi.Sign(body).Split('.');
        var attached = parts[0] + "." + JwsForgery.EncodeBody(body) + "." + parts[2];

        await RefusedAsync(Problems.SignatureMalformed, body, attached);
    }

    [Theory]
    [InlineData("not-a-jws")]
    [InlineData("only.two")]
    [InlineData("a.b.c.d")]
    [InlineData("..c2ln")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9..")]
    [InlineData("!!!..c2ln")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9..!!!")]
    public async Task Refuses_a_signature_header_that_is_not_a_detached_compact_jws(string signature) =>
        await RefusedAsync(Problems.SignatureMalformed, NewBody(), signature);

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("\"ES256\"")]
    [InlineData("""{"alg":"ES256","alg":"none"}""")]
    [InlineData("""{"alg":"ES256","iat":"1767225600"}""")]
    [InlineData("""{"alg":"ES256","kid":42}""")]
    [InlineData("""{"alg":"ES256","crit":"iat"}""")]
    public async Task Refuses_a_protected_header_that_is_not_a_well_formed_json_object(string headerJson)
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureMalformed, body, JwsForgery.Es256(headerJson, body, _ifpi.SigningKey));
    }

    [Fact]
    public async Task Refuses_a_header_without_jti()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureMalformed, body, _ifpi.Sign(body, h => h.Remove("jti")));
    }

    [Fact]
    public async Task Refuses_a_signature_header_longer_than_4096_characters()
    {
        var body = NewBody();

        await RefusedAsync(Problems.SignatureMalformed, body, _ifpi.Sign(body, h => h["pad"] = new string('x', 4096)));
    }

    [Fact]
    public async Task Refuses_a_report_without_a_signature_header() =>
        await RefusedAsync(Problems.SignatureMissing, NewBody(), signature: null);
}

public sealed class SignatureVerificationOnSqliteTests(SqliteExchange fixture)
    : SignatureVerificationTests(fixture.Server), IClassFixture<SqliteExchange>;

public sealed class SignatureVerificationOnPostgresTests(PostgresExchange fixture)
    : SignatureVerificationTests(fixture.Server), IClassFixture<PostgresExchange>;
