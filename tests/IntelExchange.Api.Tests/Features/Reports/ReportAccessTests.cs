using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Reports;

/// <summary>
/// Object-level authorisation on reports: the submitter, and an agency through its own case, may read a report;
/// anyone else gets the same 404 as for a report that does not exist. Only reporters may submit and list.
/// </summary>
public sealed class ReportAccessTests : IClassFixture<SqliteExchange>, IDisposable
{
    private readonly ExchangeServer _server;
    private readonly Partner _ifpi;
    private readonly Partner _indecopi;
    private readonly Partner _esMcd;
    private readonly Partner _operator;

    public ReportAccessTests(SqliteExchange fixture)
    {
        _server = fixture.Server;
        _ifpi = new Partner(_server, "ifpi");
        _indecopi = new Partner(_server, "indecopi");
        _esMcd = new Partner(_server, "es-mcd");
        _operator = new Partner(_server, "operator");
    }

    public void Dispose()
    {
        _ifpi.Dispose();
        _indecopi.Dispose();
        _esMcd.Dispose();
        _operator.Dispose();
    }

    private static async Task<ReportAccepted> SubmitAsync(Partner partner, string shareWith = """["indecopi"]""")
    {
        using var response = await partner.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: shareWith)));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReportAccepted>())!;
    }

    [Fact]
    public async Task Answers_404_to_an_agency_without_a_case_and_to_a_third_tenant_exactly_as_for_a_missing_report()
    {
        var accepted = await SubmitAsync(_ifpi);
        using var missing = await _esMcd.Http.GetAsync($"/v1/reports/{Guid.CreateVersion7()}");
        var missingProblem = await ProblemAssert.IsProblemAsync(missing, Problems.NotFound);

        foreach (var stranger in new[] { _esMcd, _operator })
        {
            using var response = await stranger.Http.GetAsync($"/v1/reports/{accepted.ReportId}");

            var problem = await ProblemAssert.IsProblemAsync(response, Problems.NotFound);
            Assert.Equal(missingProblem.GetProperty("title").GetString(), problem.GetProperty("title").GetString());
            Assert.Equal(Detail(missingProblem), Detail(problem));
            Assert.DoesNotContain(accepted.ReportId.ToString(), Detail(problem) ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Answers_404_to_the_default_agency_for_a_report_shared_only_with_another_agency()
    {
        var accepted = await SubmitAsync(_ifpi, """["es-mcd"]""");

        using var byIndecopi = await _indecopi.Http.GetAsync($"/v1/reports/{accepted.ReportId}");
        using var byEsMcd = await _esMcd.Http.GetAsync($"/v1/reports/{accepted.ReportId}");

        await ProblemAssert.IsProblemAsync(byIndecopi, Problems.NotFound);
        Assert.Equal(HttpStatusCode.OK, byEsMcd.StatusCode);
    }

    private static string? Detail(JsonElement problem) => problem.TryGetProperty("detail", out var detail) ? detail.GetString() : null;

    [Fact]
    public async Task Lets_the_submitter_see_every_case_and_each_agency_only_its_own()
    {
        var accepted = await SubmitAsync(_ifpi, """["indecopi", "es-mcd"]""");

        var bySubmitter = await _ifpi.Http.GetFromJsonAsync<ReportDetails>($"/v1/reports/{accepted.ReportId}");
        var byIndecopi = await _indecopi.Http.GetFromJsonAsync<ReportDetails>($"/v1/reports/{accepted.ReportId}");
        var byEsMcd = await _esMcd.Http.GetFromJsonAsync<ReportDetails>($"/v1/reports/{accepted.ReportId}");

        Assert.Equal(["es-mcd", "indecopi"], bySubmitter!.Cases.Select(c => c.Agency));
        Assert.Equal(["indecopi"], byIndecopi!.Cases.Select(c => c.Agency));
        Assert.Equal(["es-mcd"], byEsMcd!.Cases.Select(c => c.Agency));
        Assert.Equal("ifpi", byIndecopi.Submitter);
        Assert.Equal(accepted.BodySha256, byEsMcd.BodySha256);
    }

    [Fact]
    public async Task Answers_404_for_a_report_id_that_is_not_a_guid()
    {
        using var response = await _ifpi.Http.GetAsync("/v1/reports/not-a-guid");

        await ProblemAssert.IsProblemAsync(response, Problems.NotFound);
    }

    [Fact]
    public async Task Refuses_a_submission_from_an_agency_with_a_403_problem_and_stores_nothing()
    {
        var body = SampleReports.Bytes(SampleReports.Json());

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.Forbidden, () => _indecopi.SubmitAsync(body, _indecopi.Sign(body)));
    }

    [Fact]
    public async Task Refuses_a_submission_from_the_operator_with_a_403_problem_and_stores_nothing()
    {
        var body = SampleReports.Bytes(SampleReports.Json());

        await ProblemAssert.RefusedWithoutStoringAsync(_server, Problems.Forbidden, () => _operator.SubmitAsync(body, _operator.Sign(body)));
    }

    [Fact]
    public async Task Refuses_the_report_list_to_a_tenant_that_is_not_a_reporter()
    {
        using var response = await _indecopi.Http.GetAsync("/v1/reports");

        await ProblemAssert.IsProblemAsync(response, Problems.Forbidden);
    }

    [Fact]
    public async Task Lists_only_the_reports_the_caller_submitted_not_those_of_others_or_those_shared_with_it()
    {
        await _server.EnsureAgreementAsync("es-mcd", "indecopi");
        var byIfpi = await SubmitAsync(_ifpi, """["indecopi", "es-mcd"]""");
        var byEsMcd = await SubmitAsync(_esMcd);

        var ifpiList = await ListAllAsync(_ifpi);
        var esMcdList = await ListAllAsync(_esMcd);

        Assert.Contains(byIfpi.ReportId, ifpiList);
        Assert.DoesNotContain(byEsMcd.ReportId, ifpiList);
        Assert.Contains(byEsMcd.ReportId, esMcdList);
        Assert.DoesNotContain(byIfpi.ReportId, esMcdList);
        var owners = _server.WithDb(db => db.Reports.Where(r => ifpiList.Contains(r.Id)).Select(r => r.TenantId).Distinct().ToList());
        Assert.Equal(["ifpi"], owners);
        Assert.Equal(ifpiList.Count, _server.WithDb(db => db.Reports.Count(r => r.TenantId == "ifpi")));
    }

    private static async Task<List<Guid>> ListAllAsync(Partner partner)
    {
        var ids = new List<Guid>();
        string? after = null;
        do
        {
            var url = after is null ? "/v1/reports?limit=2" : $"/v1/reports?limit=2&after={Uri.EscapeDataString(after)}";
            var page = await partner.Http.GetFromJsonAsync<Page<ReportListItem>>(url);
            ids.AddRange(page!.Items.Select(i => i.ReportId));
            after = page.Next;
        }
        while (after is not null);
        return ids;
    }

    [Fact]
    public async Task Refuses_a_cursor_whose_position_was_altered()
    {
        for (var i = 0; i < 3; i++)
        {
            await SubmitAsync(_ifpi);
        }
        var page = await _ifpi.Http.GetFromJsonAsync<Page<ReportListItem>>("/v1/reports?limit=1");
        var cursor = page!.Next!;
        var mac = cursor[(cursor.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var forged = JwsForgery.Encode("reports:" + Guid.Empty) + "." + mac;

        using var response = await _ifpi.Http.GetAsync($"/v1/reports?limit=1&after={Uri.EscapeDataString(forged)}");

        await ProblemAssert.IsProblemAsync(response, Problems.InvalidCursor);
    }
}
