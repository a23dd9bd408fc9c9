using System.Net;
using System.Text;
using IntelExchange.Api.Features.Callbacks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace IntelExchange.Api.Tests.Features.Callbacks;

/// <summary>The sender's HTTP client on its own: the connect-time address check, no redirects, a bounded read.</summary>
public sealed class CallbackHttpTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":"case.status_changed"}""");
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(new byte[32]);

    [Theory]
    [InlineData(true, "203.0.113.7")]
    [InlineData(true, "2001:db8::7", "203.0.113.8")]
    [InlineData(false)]
    [InlineData(false, "127.0.0.1")]
    [InlineData(false, "203.0.113.7", "10.0.0.5")]
    [InlineData(false, "169.254.169.254")]
    [InlineData(false, "100.100.100.200")]
    [InlineData(false, "::1")]
    [InlineData(false, "::ffff:127.0.0.1")]
    [InlineData(false, "fd00::1")]
    [InlineData(false, "fe80::1")]
    [InlineData(false, "2001:db8::7", "::ffff:192.168.0.1")]
    public void Accepts_a_resolved_host_only_if_every_address_is_public(bool expected, params string[] addresses) =>
        Assert.Equal(expected, CallbackAddressGuard.AllPublic(addresses.Select(IPAddress.Parse).ToArray()));

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task Refuses_at_connect_time_a_host_that_resolves_to_loopback_unless_it_is_allowed(string host)
    {
        await using var receiver = new WebhookReceiver();
        receiver.TrustedSecrets.Add(Secret);
        await receiver.StartAsync();
        var url = new Uri($"http://{host}:{receiver.Port}/hooks/intelx");
        using var guarded = Client(allowedHosts: "");
        using var allowed = Client(allowedHosts: host);

        var refused = await guarded.PostAsync(url, "msg_1", Body, [Secret], CancellationToken.None);
        var countAfterRefusal = receiver.Received.Count;
        var delivered = await allowed.PostAsync(url, "msg_2", Body, [Secret], CancellationToken.None);

        Assert.False(refused.Delivered);
        Assert.Null(refused.StatusCode);
        Assert.Equal("refused: the host resolves to an address that is not public", refused.Error);
        Assert.Equal(0, countAfterRefusal);
        Assert.True(delivered.Delivered, delivered.Error);
        Assert.Equal("msg_2", Assert.Single(receiver.Verified).WebhookId);
    }

    [Fact]
    public async Task Does_not_follow_redirects_and_reads_at_most_four_kib_of_the_answer()
    {
        var hits = new List<string>();
        await using var app = await StartAsync(hits);
        var baseUrl = app.Urls.Single();
        using var client = Client(allowedHosts: "127.0.0.1");

        var redirected = await client.PostAsync(new Uri(baseUrl + "/redirect"), "msg_1", Body, [Secret], CancellationToken.None);
        var huge = await client.PostAsync(new Uri(baseUrl + "/huge"), "msg_2", Body, [Secret], CancellationToken.None);

        Assert.False(redirected.Delivered);
        Assert.Equal(302, redirected.StatusCode);
        Assert.Equal("HTTP 302: redirects are not followed", redirected.Error);
        Assert.True(huge.Delivered);
        Assert.Equal(["/redirect", "/huge"], hits);
    }

    private static CallbackHttp Client(string allowedHosts) => new(
        CallbackOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Callbacks:AllowedHosts"] = allowedHosts,
        }).Build()),
        TimeProvider.System);

    private static async Task<WebApplication> StartAsync(List<string> hits)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Use((context, next) =>
        {
            lock (hits)
            {
                hits.Add(context.Request.Path);
            }
            return next(context);
        });
        app.MapPost("/redirect", () => Results.Redirect("/landing"));
        app.MapPost("/landing", () => Results.Ok());
        app.MapPost("/huge", async context =>
        {
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 1024 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted); // 64 MiB if anyone read it all
            }
        });
        await app.StartAsync();
        return app;
    }
}
