using System.Net;
using System.Net.Http.Json;
using System.Text;
using IntelExchange.Api.Tests.Infrastructure.Messaging;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Intel;

public sealed class IntelFeedTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public IntelFeedTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task An_agency_follows_its_feed_in_delivery_order_with_a_cursor_and_sees_only_its_own_cases()
    {
        using var ifpi = new Partner(_server, "ifpi");
        using var esMcd = new Partner(_server, "es-mcd");
        var start = await esMcd.Http.GetFromJsonAsync<Page<IntelItem>>("/v1/intel?limit=500");
        var cursor = start!.Items.Count > 0 ? start.Next : null;
        var shared = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var shareWith = i % 2 == 0 ? "[\"es-mcd\"]" : "[\"indecopi\"]";
            var accepted = await (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json(shareWith: shareWith)))).Content.ReadFromJsonAsync<ReportAccepted>();
            if (i % 2 == 0)
            {
                shared.Add(accepted!.ReportId);
            }
        }

        var seen = new List<IntelItem>();
        await RabbitMqDeliveryTests.WaitUntilAsync(async () =>
        {
            var page = await esMcd.Http.GetFromJsonAsync<Page<IntelItem>>("/v1/intel?limit=1" + (cursor is null ? "" : "&after=" + cursor));
            if (page!.Items.Count > 0)
            {
                seen.AddRange(page.Items);
                cursor = page.Next;
            }
            return seen.Count >= shared.Count;
        }, TimeSpan.FromSeconds(10));

        Assert.Equal(shared, seen.Select(item => item.ReportId));
        Assert.All(seen, item => Assert.Equal("ifpi", item.Submitter));
        var first = seen[0];
        var signerPem = _server.WithDb(db => db.SigningKeys.Single(k => k.TenantId == "ifpi").PublicKeyPem);
        Assert.True(DetachedJws.Verify(Convert.FromBase64String(first.SignedBody), first.Signature, signerPem));
    }

    [Fact]
    public async Task A_reporter_cannot_read_the_feed()
    {
        using var ifpi = new Partner(_server, "ifpi");

        var response = await ifpi.Http.GetAsync("/v1/intel");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_cursor_from_another_list_or_altered_is_refused()
    {
        using var ifpi = new Partner(_server, "ifpi");
        using var indecopi = new Partner(_server, "indecopi");
        for (var i = 0; i < 2; i++)
        {
            await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()));
        }
        var reports = await ifpi.Http.GetFromJsonAsync<Page<ReportListItem>>("/v1/reports?limit=1");
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes("intel:0")).TrimEnd('=') + ".AAAAAAAAAAAAAAAAAAAAAA";

        Assert.Equal(HttpStatusCode.BadRequest, (await indecopi.Http.GetAsync($"/v1/intel?after={reports!.Next}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await indecopi.Http.GetAsync($"/v1/intel?after={forged}")).StatusCode);
    }
}
