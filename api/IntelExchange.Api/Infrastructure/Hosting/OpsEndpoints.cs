using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Infrastructure.Observability;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IntelExchange.Api.Infrastructure.Hosting;

internal static class OpsEndpoints
{
    public static IServiceCollection AddExchangeHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddDbContextCheck<ExchangeDb>("database", tags: ["ready"])
            .AddCheck<OutboxHealthCheck>("outbox", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Ops paths answer only on the ops listener (plain HTTP, loopback by default) and partner paths only on the mTLS
    /// listener: each listener sees a 404 for the other's paths.
    /// </summary>
    public static IApplicationBuilder UseListenerSeparation(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var opsPath = context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics");
        if (opsPath == context.Request.IsHttps)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return next(context);
    });

    /// <summary>
    /// Liveness, readiness and the Prometheus scrape endpoint. The bus registers its own readiness check
    /// ("masstransit-bus", tag "ready"), so on RabbitMQ readiness also reflects the broker connection.
    /// </summary>
    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/health").AllowAnonymous().ExcludeFromDescription();
        ops.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false });
        ops.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteReport });
        app.MapExchangeMetrics();
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }
}

/// <summary>Unhealthy when the dispatcher has failed repeatedly: the broker is unreachable or sends are hanging.</summary>
internal sealed class OutboxHealthCheck(DispatcherHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health.ConsecutiveFailures >= 5
            ? HealthCheckResult.Unhealthy($"{health.ConsecutiveFailures} dispatch rounds failed; last: {health.LastError}")
            : HealthCheckResult.Healthy());
}
