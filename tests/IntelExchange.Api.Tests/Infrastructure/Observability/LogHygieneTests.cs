using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using IntelExchange.Api.Tests.Features.Callbacks;
using IntelExchange.Api.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Infrastructure.Observability;

public sealed class LogHygieneTests
{
    /// <summary>
    /// Everything the exchange logs at the most verbose level, through intake (accepted and refused), a webhook
    /// registration and a signed callback: ids appear, report contents, keys and secrets never do.
    /// </summary>
    [Fact]
    public async Task Logs_ids_but_never_report_bodies_keys_or_webhook_secrets_even_at_trace_level()
    {
        var logs = new CapturingLoggerProvider();
        var settings = CallbackSteps.LoopbackSettings();
        foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "MassTransit" })
        {
            settings[$"Logging:LogLevel:{category}"] = "Trace";
        }
        using var server = new ExchangeServer(settings, configure: builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var secret = await CallbackSteps.RegisterAsync(ifpi, receiver);

        var marker = $"body-marker-{Guid.NewGuid():N}";
        var accepted = ReportBodies.With(report =>
        {
            report["notes"] = marker + " notes";
            report["works"]![0]!["title"] = marker + " title";
        });
        var signature = ifpi.Sign(accepted);
        var response = await ifpi.SubmitAsync(accepted, signature);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var reportId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["reportId"]!.GetValue<string>();
        var caseId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["cases"]![0]!["caseId"]!.GetValue<Guid>();

        var refused = ReportBodies.With(report => report["notes"] = marker + " refused");
        Assert.Equal(HttpStatusCode.BadRequest, (await ifpi.SubmitAsync(refused, ifpi.Sign(accepted))).StatusCode);
        var malformed = SampleReports.Bytes("{\"notes\": \"" + marker + " malformed\", ");
        Assert.Equal(HttpStatusCode.BadRequest, (await ifpi.SubmitAsync(malformed)).StatusCode);
        var invalid = ReportBodies.WithTarget("domain", marker + "..invalid");
        Assert.Equal(HttpStatusCode.BadRequest, (await ifpi.SubmitAsync(invalid)).StatusCode);

        await MoveAsync(indecopi.Http, caseId, Body("under_review", reason: marker + " reason"));
        await CallbackSteps.VerifiedWhenAsync(receiver, caseId, 1, "the signed callback");
        await Task.Delay(500);

        var logged = logs.Text;
        Assert.Contains(reportId, logged, StringComparison.Ordinal);
        Assert.Contains(caseId.ToString(), logged, StringComparison.Ordinal);
        var forbidden = new Dictionary<string, string>
        {
            ["report contents"] = marker,
            ["the webhook secret"] = secret,
            ["the webhook key"] = secret["whsec_".Length..],
            ["the detached JWS signature"] = signature.Split('.')[2],
            ["the reporter's signing key"] = PemBody(Path.Combine(server.DevPki, "ifpi", "signing.key")),
            ["the reporter's client key"] = PemBody(Path.Combine(server.DevPki, "ifpi", "client.key")),
            ["the server key"] = PemBody(Path.Combine(server.DevPki, "server.key")),
            ["the dev CA key"] = PemBody(Path.Combine(server.DevPki, "ca.key")),
            ["the receipt key"] = PemBody(Path.Combine(server.DataPath, "keys", "receipt.key")),
        };
        foreach (var (what, text) in forbidden)
        {
            var leak = logs.Entries.FirstOrDefault(e => e.Contains(text, StringComparison.Ordinal));
            Assert.True(leak is null, $"{what} appears in a log entry: {leak}");
        }
        Assert.True(logs.Entries.Count > 100, $"only {logs.Entries.Count} entries at trace level: is the capture wired?");
    }

    /// <summary>The base64 of a PEM file, on one line: any 40-character run of it in a log would be a leak.</summary>
    private static string PemBody(string path) =>
        string.Concat(File.ReadAllLines(path).Where(line => !line.StartsWith("-----", StringComparison.Ordinal)))[..40];

    /// <summary>Each entry as a sink would store it: message, structured values, scopes and exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IReadOnlyList<string> Entries => _entries.ToArray();
        public string Text => string.Join("\n", _entries);

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var entry = new List<string> { category, formatter(state, exception) };
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    entry.AddRange(values.Select(v => $"{v.Key}={v.Value}"));
                }
                provider._scopes.ForEachScope((scope, parts) => parts.Add(scope?.ToString() ?? ""), entry);
                if (exception is not null)
                {
                    entry.Add(exception.ToString());
                }
                provider._entries.Enqueue(string.Join(" | ", entry));
            }
        }
    }
}
