using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IntelExchange.Bench;

/// <summary>
/// The submitter's callback endpoint: Kestrel on 127.0.0.1, recording when each case's callback for its move to under_review arrived.
/// Signatures are not checked here (the tests do that); this only times delivery.
/// </summary>
internal sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CallbackReceiver(WebApplication app, int port)
    {
        _app = app;
        Url = $"http://127.0.0.1:{port}/hooks";
    }

    public string Url { get; }

    /// <summary>Case id to the <see cref="Stopwatch"/> timestamp of its first callback.</summary>
    public ConcurrentDictionary<Guid, long> Received { get; } = new();

    public static async Task<CallbackReceiver> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new CallbackReceiver(app, port);
        app.MapPost("/hooks", async context =>
        {
            var arrived = Stopwatch.GetTimestamp();
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var data = body.RootElement.GetProperty("data");
            if (data.GetProperty("status").GetString() == "under_review")
            {
                receiver.Received.TryAdd(data.GetProperty("caseId").GetGuid(), arrived);
            }
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
