using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using static IntelExchange.Api.Tests.Features.Callbacks.CallbackSteps;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Callbacks;

public sealed class RegisterWebhookTests : IClassFixture<SqliteExchange>
{
    private readonly ExchangeServer _server;

    public RegisterWebhookTests(SqliteExchange fixture) => _server = fixture.Server;

    [Fact]
    public async Task Returns_a_32_byte_secret_once_and_never_shows_it_again()
    {
        using var esMcd = new Partner(_server, "es-mcd");

        var registered = await RegisterAsync(esMcd.Http, new Uri("https://203.0.113.10/hooks/intelx"));
        var shown = await esMcd.Http.GetAsync("/v1/partners/me/webhook");
        var text = await shown.Content.ReadAsStringAsync();
        var details = await shown.Content.ReadFromJsonAsync<WebhookDetails>();

        Assert.Equal("https://203.0.113.10/hooks/intelx", registered.Url);
        Assert.StartsWith("whsec_", registered.Secret);
        Assert.Equal(32, Convert.FromBase64String(registered.Secret["whsec_".Length..]).Length);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Equal(registered.Url, details!.Url);
        Assert.InRange(details.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.DoesNotContain("whsec_", text);
        Assert.DoesNotContain(registered.Secret["whsec_".Length..], text);
    }

    [Fact]
    public async Task Rotates_the_secret_on_every_registration()
    {
        using var esMcd = new Partner(_server, "es-mcd");

        var first = await RegisterAsync(esMcd.Http, new Uri("https://203.0.113.10/hooks/a"));
        var second = await RegisterAsync(esMcd.Http, new Uri("https://203.0.113.11/hooks/b"));
        var details = await esMcd.Http.GetFromJsonAsync<WebhookDetails>("/v1/partners/me/webhook");

        Assert.NotEqual(first.Secret, second.Secret);
        Assert.Equal("https://203.0.113.11/hooks/b", details!.Url);
        Assert.True(details.UpdatedAt >= details.CreatedAt);
    }

    [Fact]
    public async Task Only_a_reporter_registers_a_webhook_and_unknown_properties_are_refused()
    {
        using var indecopi = new Partner(_server, "indecopi");
        using var ifpi = new Partner(_server, "ifpi");

        var byAgency = await PutWebhookAsync(indecopi.Http, "https://203.0.113.10/hooks");
        var unknown = await ifpi.Http.PutAsync("/v1/partners/me/webhook",
            new StringContent("""{ "url": "https://203.0.113.10/hooks", "events": ["*"] }""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Forbidden, byAgency.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(Problems.MalformedJson.Type, await ProblemTypeAsync(unknown));
    }

    [Theory]
    [InlineData("http://203.0.113.10/hooks")]
    [InlineData("ftp://203.0.113.10/hooks")]
    [InlineData("https://127.0.0.1/hooks")]
    [InlineData("https://127.8.9.10/hooks")]
    [InlineData("https://2130706433/hooks")]
    [InlineData("https://0x7f.1/hooks")]
    [InlineData("https://10.1.2.3/hooks")]
    [InlineData("https://172.16.5.4/hooks")]
    [InlineData("https://192.168.1.1/hooks")]
    [InlineData("https://100.64.0.1/hooks")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://0.0.0.0/hooks")]
    [InlineData("https://224.0.0.1/hooks")]
    [InlineData("https://[::1]/hooks")]
    [InlineData("https://[::]/hooks")]
    [InlineData("https://[fc00::1]/hooks")]
    [InlineData("https://[fd12:3456::1]/hooks")]
    [InlineData("https://[fe80::1]/hooks")]
    [InlineData("https://[ff02::1]/hooks")]
    [InlineData("https://[::ffff:127.0.0.1]/hooks")]
    [InlineData("https://[::ffff:169.254.169.254]/hooks")]
    [InlineData("https://[64:ff9b::a00:1]/hooks")]
    [InlineData("https://localhost/hooks")]
    [InlineData("https://LOCALHOST./hooks")]
    [InlineData("https://api.localhost/hooks")]
    [InlineData("https://printer.local/hooks")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("https://user:secret@203.0.113.10/hooks")]
    [InlineData("https://user@203.0.113.10/hooks")]
    [InlineData("https://203.0.113.10/hooks#fragment")]
    [InlineData("/relative/hooks")]
    [InlineData("not a url")]
    public async Task Refuses_callback_urls_that_could_reach_internal_services(string url)
    {
        using var ifpi = new Partner(_server, "ifpi");

        var response = await PutWebhookAsync(ifpi.Http, url);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(Problems.CallbackUrlRefused.Type, await ProblemTypeAsync(response));
    }

    [Fact]
    public async Task Allows_http_only_to_a_configured_host_and_only_when_insecure_http_is_allowed()
    {
        using var httpsOnly = new ExchangeServer(new Dictionary<string, string?> { ["Callbacks:AllowedHosts"] = "127.0.0.1" });
        using var insecureAnywhere = new ExchangeServer(new Dictionary<string, string?> { ["Callbacks:AllowInsecureHttp"] = "true" });
        using var a = new Partner(httpsOnly, "ifpi");
        using var b = new Partner(insecureAnywhere, "ifpi");

        var httpToAllowedHost = await PutWebhookAsync(a.Http, "http://127.0.0.1:8443/hooks");
        var httpsToAllowedHost = await PutWebhookAsync(a.Http, "https://127.0.0.1:8443/hooks");
        var httpToOtherHost = await PutWebhookAsync(b.Http, "http://203.0.113.10/hooks");
        var loopbackNotAllowed = await PutWebhookAsync(b.Http, "https://127.0.0.1:8443/hooks");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, httpToAllowedHost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, httpsToAllowedHost.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, httpToOtherHost.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, loopbackNotAllowed.StatusCode);
    }
}
