using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IntelExchange.Api.Tests.Features.Callbacks;

/// <summary>One callback as the receiver got it, and which trusted secrets verified which signature entries.</summary>
internal sealed record ReceivedCallback(
    string WebhookId, string Timestamp, string Signature, string? ContentType, byte[] Body, IReadOnlyDictionary<string, IReadOnlyList<int>> VerifiedBy)
{
    public bool Verified => VerifiedBy.Values.Any(entries => entries.Count > 0);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public Guid CaseId => Json.GetProperty("data").GetProperty("caseId").GetGuid();

    public int Sequence => Json.GetProperty("data").GetProperty("sequence").GetInt32();
}

/// <summary>
/// A real HTTP receiver (Kestrel on 127.0.0.1, a port chosen up front so it can be "down" and come up later) that
/// verifies every callback with <see cref="StandardWebhooksVerifier"/> and answers 401 when none of its secrets verify.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();
    private WebApplication? _app;

    public WebhookReceiver() => Port = FreeLoopbackPort();

    public int Port { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/hooks/intelx");
    public ConcurrentBag<string> TrustedSecrets { get; } = [];
    public int StatusCode { get; set; } = StatusCodes.Status200OK;
    public string ResponseBody { get; set; } = "";
    public IReadOnlyList<ReceivedCallback> Received => _received.ToArray();
    public IReadOnlyList<ReceivedCallback> Verified => _received.Where(c => c.Verified).ToArray();
    public bool IsUp => _app is not null;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/hooks/intelx", ReceiveAsync);
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var id = context.Request.Headers["webhook-id"].ToString();
        var timestamp = context.Request.Headers["webhook-timestamp"].ToString();
        var signature = context.Request.Headers["webhook-signature"].ToString();
        var verifiedBy = TrustedSecrets.Distinct().ToDictionary(
            secret => secret, secret => StandardWebhooksVerifier.MatchingEntries(secret, id, timestamp, signature, body));
        var callback = new ReceivedCallback(id, timestamp, signature, context.Request.ContentType, body, verifiedBy);
        _received.Enqueue(callback);

        context.Response.StatusCode = callback.Verified ? StatusCode : StatusCodes.Status401Unauthorized;
        await context.Response.WriteAsync(ResponseBody);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
