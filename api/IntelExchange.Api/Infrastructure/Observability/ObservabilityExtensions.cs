using MassTransit.Logging;
using MassTransit.Monitoring;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IntelExchange.Api.Infrastructure.Observability;

internal static class ObservabilityExtensions
{
    /// <summary>
    /// OpenTelemetry for the exchange: traces from ASP.NET Core, the use cases, the outbox, MassTransit and callback
    /// HTTP calls (exported over OTLP only when <c>Observability:Otlp:Endpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// is set), and metrics from the same sources plus the exchange's own, scraped in Prometheus format from
    /// <c>/metrics</c> on the ops listener.
    /// </summary>
    public static IServiceCollection AddExchangeObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<OpsGauges>();
        services.AddSingleton<ExchangeMetrics>();
        services.AddSingleton<ReportIntakeMetrics>();
        services.AddOptions<ProblemDetailsOptions>().PostConfigure<ExchangeMetrics>((options, metrics) =>
        {
            var customize = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                ReportIntakeMetrics.CountRefusal(context, metrics);
            };
        });
        services.AddHostedService<OpsGaugeSampler>();

        var otlpEndpoint = new[] { configuration["Observability:Otlp:Endpoint"], configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] }
            .FirstOrDefault(endpoint => !string.IsNullOrWhiteSpace(endpoint));
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration["Observability:ServiceName"] ?? "intelexchange",
                serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(ExchangeTelemetry.SourceName)
                    .AddSource(DiagnosticHeaders.DefaultListenerName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => context.Request.IsHttps)
                    .AddHttpClientInstrumentation();
                if (otlpEndpoint is not null)
                {
                    tracing.AddOtlpExporter(otlp => otlp.Endpoint = new Uri(otlpEndpoint));
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(ExchangeTelemetry.MeterName)
                .AddMeter(InstrumentationOptions.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Prometheus text format at <c>/metrics</c>; <c>UseListenerSeparation</c> keeps it off the partner listener.</summary>
    public static IEndpointRouteBuilder MapExchangeMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().DisableHttpMetrics();
        return app;
    }

    /// <summary>Counts every report submission by outcome (see <see cref="ReportIntakeMetrics"/>).</summary>
    public static RouteHandlerBuilder WithIntakeMetrics(this RouteHandlerBuilder endpoint) => endpoint.AddEndpointFilter<ReportIntakeMetrics>();
}
