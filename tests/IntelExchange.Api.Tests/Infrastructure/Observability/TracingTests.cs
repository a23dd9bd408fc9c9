using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Tests.Features.Callbacks;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Infrastructure.Observability;

/// <summary>
/// The exchange's own OpenTelemetry pipeline, with a test exporter added: one trace runs from the partner's request
/// through the use case, the outbox and the broker to the agency's consumer, and from a case move to its callback.
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public async Task One_trace_runs_from_the_report_request_through_outbox_and_broker_to_the_agency_consumer()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        await using var agency = await AgencySubscriber.StartAsync(vhost, "indecopi");
        var spans = new SpanLog();
        var settings = vhost.ExchangeSettings();
        settings["Persistence:Provider"] = "postgres";
        settings["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("tracing");
        using var server = new ExchangeServer(settings, configure: Exporting(spans));
        using var ifpi = new Partner(server, "ifpi");
        var body = SampleReports.Bytes(SampleReports.Json());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("X-JWS-Signature", ifpi.Sign(body));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
        var traceId = await SendInTraceAsync(ifpi.Http, request, HttpStatusCode.Accepted);
        Assert.True(await agency.Received.WaitForReportsAsync(1, TimeSpan.FromSeconds(20)), "the agency never received the report");

        // The receive span ends last, after the consumer's process span inside it.
        var receive = await spans.WaitForAsync(traceId, s => s.Source.Name == "MassTransit" && s.DisplayName == "intelx.agency.indecopi receive",
            "the agency's receive span");
        var trace = spans.Of(traceId);
        var incoming = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore");
        var useCase = Assert.Single(trace, s => s.Source.Name == "IntelExchange" && s.DisplayName == "SubmitReport");
        var outbox = Assert.Single(trace, s => s.Source.Name == "IntelExchange" && s.DisplayName == "outbox send ReportShared");
        var send = Assert.Single(trace, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
        var process = Assert.Single(trace, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer && s.DisplayName == "intelx.agency.indecopi process");

        Assert.Equal(incoming.SpanId, useCase.ParentSpanId);
        Assert.Equal(useCase.SpanId, outbox.ParentSpanId);
        Assert.Equal(outbox.SpanId, send.ParentSpanId);
        Assert.Equal(send.SpanId, receive.ParentSpanId);
        Assert.Equal(receive.SpanId, process.ParentSpanId);
        Assert.Equal("intelx.agency.indecopi", outbox.GetTagItem("messaging.destination.name"));
        Assert.Equal(outbox.GetTagItem("messaging.message.id"), receive.GetTagItem("messaging.message.id"));
        Assert.Contains(process.TagObjects, tag => tag.Value?.ToString()?.Contains("ReportSharedConsumer", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task The_callback_for_a_case_move_continues_the_trace_of_the_move()
    {
        var spans = new SpanLog();
        using var server = new ExchangeServer(CallbackSteps.LoopbackSettings(), configure: Exporting(spans));
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        await CallbackSteps.RegisterAsync(ifpi, receiver);
        var caseId = await OpenCaseAsync(ifpi);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/cases/{caseId}/status") { Content = JsonContent.Create(new { status = "under_review" }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString());
        var traceId = await SendInTraceAsync(indecopi.Http, request, HttpStatusCode.OK);
        await CallbackSteps.VerifiedWhenAsync(receiver, caseId, 1, "the callback");

        var post = await spans.WaitForAsync(traceId,
            s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http" && Equals(s.GetTagItem("url.full"), receiver.Url.ToString()),
            "the callback POST span");
        var trace = spans.Of(traceId);
        var useCase = Assert.Single(trace, s => s.Source.Name == "IntelExchange" && s.DisplayName == "UpdateCaseStatus");
        var attempt = Assert.Single(trace, s => s.Source.Name == "IntelExchange" && s.DisplayName == "callback send");
        Assert.Equal(useCase.SpanId, attempt.ParentSpanId);
        Assert.Equal(attempt.SpanId, post.ParentSpanId);
        Assert.Equal("POST", post.GetTagItem("http.request.method"));
    }

    /// <summary>Sends the request inside a span of the partner's own, as a traced partner system would; returns its trace.</summary>
    private static async Task<ActivityTraceId> SendInTraceAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode expected)
    {
        using var partnerSpan = new Activity("partner request") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.SetIdFormat(ActivityIdFormat.W3C).Start();
        using var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return partnerSpan.TraceId;
    }

    private static Action<IWebHostBuilder> Exporting(SpanLog spans) =>
        builder => builder.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));

    /// <summary>
    /// Finished spans, safe to read while the exporter adds to it. Activity sources are process-wide, so spans of other
    /// tests show up too: every query is by trace id.
    /// </summary>
    private sealed class SpanLog : ICollection<Activity>
    {
        private readonly ConcurrentQueue<Activity> _spans = new();

        public IReadOnlyList<Activity> Of(ActivityTraceId traceId) => _spans.Where(s => s.TraceId == traceId).ToList();

        public async Task<Activity> WaitForAsync(ActivityTraceId traceId, Func<Activity, bool> match, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                if (Of(traceId).FirstOrDefault(match) is { } found)
                {
                    return found;
                }
                await Task.Delay(50);
            }
            var seen = string.Join("\n", Of(traceId).Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName} {s.SpanId} <- {s.ParentSpanId}"));
            throw new Xunit.Sdk.XunitException($"no {what} in trace {traceId} ({Count} spans in all, e.g. {string.Join(", ", _spans.Take(5).Select(s => $"{s.Source.Name}/{s.DisplayName}/{s.TraceId}"))}); spans seen:\n{seen}");
        }

        public int Count => _spans.Count;
        public bool IsReadOnly => false;
        public void Add(Activity item) => _spans.Enqueue(item);
        public void Clear() => throw new NotSupportedException();
        public bool Contains(Activity item) => _spans.Contains(item);
        public void CopyTo(Activity[] array, int arrayIndex) => _spans.ToArray().CopyTo(array, arrayIndex);
        public bool Remove(Activity item) => throw new NotSupportedException();
        public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)_spans.ToArray()).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
