using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Reports;

public sealed class SubmitReportTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public SubmitReportTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task Accepts_a_signed_report_and_answers_with_a_receipt_that_verifies_against_the_jwks()
    {
        using var ifpi = new Partner(_server, "ifpi");
        var body = SampleReports.Bytes(SampleReports.Json());

        var response = await ifpi.SubmitAsync(body);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<ReportAccepted>();
        Assert.Equal($"/v1/reports/{accepted!.ReportId}", response.Headers.Location?.OriginalString);
        Assert.Equal(ReportStatus.Received, accepted.Status);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), accepted.BodySha256);
        var onlyCase = Assert.Single(accepted.Cases);
        Assert.Equal("indecopi", onlyCase.Agency);
        Assert.Equal(CaseStatus.Received, onlyCase.Status);

        var jwks = await ifpi.Http.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json");
        var payload = VerifyCompactJws(accepted.Receipt, jwks);
        Assert.Equal(accepted.ReportId.ToString(), payload.GetProperty("reportId").GetString());
        Assert.Equal("ifpi", payload.GetProperty("tenant").GetString());
        Assert.Equal(accepted.BodySha256, payload.GetProperty("bodySha256").GetString());
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("jti").GetString()));
        Assert.True(payload.TryGetProperty("receivedAt", out _));
    }

    [Fact]
    public async Task Stores_the_exact_bytes_so_the_submitter_and_the_agency_can_read_the_report_but_nobody_else()
    {
        using var ifpi = new Partner(_server, "ifpi");
        using var indecopi = new Partner(_server, "indecopi");
        using var esMcd = new Partner(_server, "es-mcd");
        var externalId = "IFPI-READ-" + Guid.NewGuid().ToString("N")[..8];
        var response = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json(externalId)));
        var accepted = await response.Content.ReadFromJsonAsync<ReportAccepted>();

        var bySubmitter = await ifpi.Http.GetFromJsonAsync<ReportDetails>($"/v1/reports/{accepted!.ReportId}");
        var byAgency = await indecopi.Http.GetFromJsonAsync<ReportDetails>($"/v1/reports/{accepted.ReportId}");
        var byStranger = await esMcd.Http.GetAsync($"/v1/reports/{accepted.ReportId}");

        Assert.Equal(externalId, bySubmitter!.Report.ExternalId);
        Assert.Equal(6, bySubmitter.Report.Targets.Count);
        Assert.Equal(accepted.BodySha256, byAgency!.BodySha256);
        Assert.Equal(HttpStatusCode.NotFound, byStranger.StatusCode);
        Assert.Equal("application/problem+json", byStranger.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Lists_only_the_callers_own_reports_with_a_cursor()
    {
        using var ifpi = new Partner(_server, "ifpi");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))).StatusCode);
        }

        var first = await ifpi.Http.GetFromJsonAsync<Page<ReportListItem>>("/v1/reports?limit=2");
        var second = await ifpi.Http.GetFromJsonAsync<Page<ReportListItem>>($"/v1/reports?limit=2&after={first!.Next}");

        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.Next);
        Assert.NotEmpty(second!.Items);
        Assert.Empty(first.Items.Select(r => r.ReportId).Intersect(second.Items.Select(r => r.ReportId)));
        Assert.True(first.Items[1].ReportId.CompareTo(second.Items[0].ReportId) < 0);
    }

    [Theory]
    [InlineData("/v1/reports?limit=0")]
    [InlineData("/v1/reports?limit=501")]
    [InlineData("/v1/reports?after=forged.cursor")]
    [InlineData("/v1/reports?status=bogus")]
    public async Task Refuses_bad_paging_parameters_with_a_problem(string url)
    {
        using var ifpi = new Partner(_server, "ifpi");

        var response = await ifpi.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Verifies a compact ES256 JWS with the key its kid names in the JWKS, independently of the server's code.</summary>
    internal static JsonElement VerifyCompactJws(string jws, JsonElement jwks)
    {
        var parts = jws.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        var kid = header.GetProperty("kid").GetString();
        var jwk = jwks.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()),
                Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()),
            },
        });
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "receipt signature does not verify");
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
    }
}
