using System.Net;
using System.Security.Cryptography;
using System.Net.Http.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security;
using IntelExchange.Api.Tests.Features.Callbacks;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Infrastructure.Observability;

/// <summary>
/// Meters are matched by name across the process, so an exchange in another test class would add to these counters:
/// the tests that count exactly run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

[Collection(MetricsCollection.Name)]
public sealed class MetricsEndpointTests
{
    private static Dictionary<string, string?> Settings(IDictionary<string, string?>? extra = null)
    {
        var settings = CallbackSteps.LoopbackSettings(retrySchedule: "00:00:00.200");
        settings["Observability:SampleIntervalSeconds"] = "1";
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return settings;
    }

    [Fact]
    public async Task Exposes_intake_outbox_callback_and_certificate_metrics_in_Prometheus_format_after_traffic()
    {
        using var server = new ExchangeServer(Settings());
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver { StatusCode = StatusCodes.Status500InternalServerError };
        await receiver.StartAsync();
        await CallbackSteps.RegisterAsync(ifpi, receiver);

        var body = SampleReports.Bytes(SampleReports.Json());
        var signature = ifpi.Sign(body);
        var first = await ifpi.SubmitAsync(body, signature, "metrics-1");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await ifpi.SubmitAsync(body, signature, "metrics-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))).StatusCode);
        var tampered = SampleReports.Bytes(SampleReports.Json());
        Assert.Equal(HttpStatusCode.BadRequest, (await ifpi.SubmitAsync(tampered, ifpi.Sign(SampleReports.Bytes(SampleReports.Json())))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await ifpi.SubmitAsync(body, contentType: "text/plain")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ifpi.SubmitAsync(body, signature: "not-a-jws")).StatusCode);

        var caseId = (await first.Content.ReadFromJsonAsync<ReportAccepted>())!.Cases.Single().CaseId;
        await MoveAsync(indecopi.Http, caseId, Body("under_review"));
        await CallbackSteps.DeliveriesWhenAsync(ifpi.Http, caseId,
            deliveries => deliveries.Any(d => d.Status == CallbackDeliveryStatus.Dead), "the callback to be dead-lettered");

        var scrape = await EventuallyAsync(() => PrometheusScrape.FromAsync(server),
            s => s.Of("intelx_callbacks_dead").Any(d => d.Value == 1) && s.Of("intelx_outbox_backlog").Any(b => b.Value == 0),
            TimeSpan.FromSeconds(10), "the sampler to see the dead letter and the drained outbox");

        Assert.True(scrape.Declares("intelx_reports_accepted_total", "counter"));
        Assert.Equal(2, scrape.Value("intelx_reports_accepted_total", ("replayed", "false")));
        Assert.Equal(1, scrape.Value("intelx_reports_accepted_total", ("replayed", "true")));
        Assert.True(scrape.Declares("intelx_reports_refused_total", "counter"));
        Assert.Equal(1, scrape.Value("intelx_reports_refused_total", ("problem_type", "signature-invalid")));
        Assert.Equal(1, scrape.Value("intelx_reports_refused_total", ("problem_type", "unsupported-media-type")));
        Assert.Equal(1, scrape.Value("intelx_reports_refused_total", ("problem_type", "signature-malformed")));
        Assert.Equal(3, scrape.Of("intelx_reports_refused_total").Sum(s => s.Value));

        Assert.True(scrape.Declares("intelx_outbox_lag_seconds", "gauge"));
        Assert.Equal(0, scrape.Value("intelx_outbox_lag_seconds"));
        Assert.Equal(0, scrape.Value("intelx_outbox_backlog"));
        Assert.Equal(2, scrape.Value("intelx_outbox_sent_total", ("message_type", nameof(ReportShared))));
        Assert.Equal(1, scrape.Value("intelx_outbox_sent_total", ("message_type", nameof(CaseStatusChanged))));

        Assert.Equal(2, scrape.Value("intelx_callbacks_failures_total", ("tenant", "ifpi")));
        Assert.Equal(1, scrape.Value("intelx_callbacks_dead_lettered_total", ("tenant", "ifpi")));
        Assert.Equal(1, scrape.Value("intelx_callbacks_dead"));
        Assert.Equal(0, scrape.Value("intelx_callbacks_pending"));
        Assert.Equal(2, receiver.Received.Count);

        var expiry = server.LoadClientCertificate("ifpi").NotAfter.ToUniversalTime() - DateTime.UtcNow;
        Assert.True(scrape.Declares("intelx_client_certificate_expiry_days", "gauge"));
        Assert.InRange(scrape.Value("intelx_client_certificate_expiry_days", ("tenant", "ifpi")), expiry.TotalDays - 0.1, expiry.TotalDays + 0.1);
        Assert.Equal(["es-mcd", "ifpi", "indecopi", "operator"],
            scrape.Of("intelx_client_certificate_expiry_days").Select(s => s.Labels["tenant"]).Order(StringComparer.Ordinal));

        Assert.NotEmpty(scrape.Of("http_server_request_duration_seconds_count", ("http_route", "/v1/reports/")));
    }

    [Fact]
    public async Task Reports_the_soonest_expiry_per_tenant_and_forgets_a_revoked_certificate()
    {
        using var server = new ExchangeServer(Settings());
        var before = (await PrometheusScrape.FromAsync(server)).Value("intelx_client_certificate_expiry_days", ("tenant", "indecopi"));
        var thumbprint = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

        await server.ChangeDirectoryAsync(db => db.ClientCredentials.Add(new ClientCredential
        {
            Thumbprint = thumbprint,
            TenantId = "indecopi",
            Subject = "CN=indecopi-second",
            NotBefore = DateTimeOffset.UtcNow.AddDays(-1),
            NotAfter = DateTimeOffset.UtcNow.AddDays(3),
            RegisteredAt = DateTimeOffset.UtcNow,
        }));
        var soon = (await PrometheusScrape.FromAsync(server)).Value("intelx_client_certificate_expiry_days", ("tenant", "indecopi"));

        await server.ChangeDirectoryAsync(db => db.ClientCredentials.Single(c => c.Thumbprint == thumbprint).RevokedAt = DateTimeOffset.UtcNow);
        var after = (await PrometheusScrape.FromAsync(server)).Value("intelx_client_certificate_expiry_days", ("tenant", "indecopi"));

        Assert.True(before > 30, $"the dev certificate should be good for months, not {before} days");
        Assert.InRange(soon, 2.98, 3.0);
        Assert.InRange(after, before - 0.01, before + 0.01);
    }

    [Fact]
    public async Task Serves_metrics_only_on_the_ops_listener()
    {
        using var server = new ExchangeServer(Settings());
        using var ifpi = server.ClientFor("ifpi");

        Assert.Equal(HttpStatusCode.NotFound, (await ifpi.GetAsync("/metrics")).StatusCode);
        var scrape = await PrometheusScrape.FromAsync(server);
        Assert.Contains("# TYPE intelx_client_certificate_expiry_days gauge", scrape.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_the_depth_of_each_agency_queue_on_RabbitMQ()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        using var server = ExchangeServer.Postgres("queuedepth", Settings(vhost.ExchangeSettings()));
        using var ifpi = new Partner(server, "ifpi");
        await EventuallyAsync(() => vhost.QueueDepthAsync("intelx.agency.indecopi"), depth => depth == 0, TimeSpan.FromSeconds(20), "the agency queue");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json()))).StatusCode);
        }

        var scrape = await EventuallyAsync(() => PrometheusScrape.FromAsync(server),
            s => s.Of("intelx_queue_depth", ("queue", "intelx.agency.indecopi")).Any(q => q.Value == 3), TimeSpan.FromSeconds(15),
            "three reports waiting in the agency queue");
        Assert.Equal(3, await vhost.QueueDepthAsync("intelx.agency.indecopi"));
        Assert.Equal(0, scrape.Value("intelx_queue_depth", ("queue", "intelx.agency.es-mcd")));
        Assert.Empty(scrape.Of("intelx_queue_depth", ("queue", "intelx.agency.indecopi_error")));
        Assert.Equal(0, scrape.Value("intelx_outbox_backlog"));
    }
}
