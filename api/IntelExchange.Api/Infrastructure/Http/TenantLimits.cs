using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using IntelExchange.Api.Security.Certificates;
using Microsoft.AspNetCore.RateLimiting;

namespace IntelExchange.Api.Infrastructure.Http;

/// <summary>
/// Per-tenant limits from configuration: <c>RateLimits:*</c> and <c>Quotas:*</c> for every tenant, and the same keys under
/// <c>RateLimits:Tenants:&lt;id&gt;:</c> and <c>Quotas:Tenants:&lt;id&gt;:</c> for one tenant.
/// </summary>
internal sealed class TenantLimits(IConfiguration configuration)
{
    public const int DefaultTokenLimit = 1000;
    public const int DefaultTokensPerPeriod = 500;
    public static readonly TimeSpan DefaultReplenishmentPeriod = TimeSpan.FromSeconds(1);
    public const long DefaultDailyTargets = 100_000;

    /// <summary>The token bucket of a tenant: <c>TokenLimit</c> requests at once, refilled by <c>TokensPerPeriod</c> every period.</summary>
    public TokenBucketRateLimiterOptions RateLimit(string tenant) => new()
    {
        TokenLimit = Positive(Value(tenant, "RateLimits", "TokenLimit", DefaultTokenLimit), "TokenLimit"),
        TokensPerPeriod = Positive(Value(tenant, "RateLimits", "TokensPerPeriod", DefaultTokensPerPeriod), "TokensPerPeriod"),
        ReplenishmentPeriod = Value(tenant, "RateLimits", "ReplenishmentPeriod", DefaultReplenishmentPeriod) is var period && period > TimeSpan.Zero
            ? period : throw new InvalidOperationException("RateLimits:ReplenishmentPeriod must be positive."),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>How many targets of accepted reports a reporter may send per UTC day (<c>Quotas:DailyTargets</c>).</summary>
    public long DailyTargets(string tenant) => Value(tenant, "Quotas", "DailyTargets", DefaultDailyTargets);

    private T Value<T>(string tenant, string section, string key, T fallback)
    {
        var perTenant = $"{section}:Tenants:{tenant}:{key}";
        return configuration[perTenant] is not null ? configuration.GetValue<T>(perTenant)! : configuration.GetValue($"{section}:{key}", fallback)!;
    }

    private static int Positive(int value, string key) =>
        value > 0 ? value : throw new InvalidOperationException($"RateLimits:{key} must be positive.");
}

/// <summary>
/// The live token bucket of each tenant, so every answer can tell the caller where it stands (IETF RateLimit header
/// fields): <c>RateLimit-Limit</c> (bucket size), <c>RateLimit-Remaining</c> (requests left now) and
/// <c>RateLimit-Reset</c> (seconds until the bucket next refills).
/// </summary>
internal sealed class TenantBuckets(TenantLimits limits)
{
    public const string LimitHeader = "RateLimit-Limit";
    public const string RemainingHeader = "RateLimit-Remaining";
    public const string ResetHeader = "RateLimit-Reset";

    private readonly ConcurrentDictionary<string, (TokenBucketRateLimiter Bucket, TokenBucketRateLimiterOptions Options)> _live = new(StringComparer.Ordinal);

    /// <summary>Called by the partitioned limiter when a tenant's partition is (re)created; the newest bucket wins.</summary>
    public RateLimiter Create(string tenant)
    {
        var options = limits.RateLimit(tenant);
        var bucket = new TokenBucketRateLimiter(options);
        _live[tenant] = (bucket, options);
        return bucket;
    }

    public void WriteHeaders(HttpResponse response, string tenant)
    {
        if (!_live.TryGetValue(tenant, out var live))
        {
            return;
        }
        long remaining;
        try
        {
            remaining = live.Bucket.GetStatistics()?.CurrentAvailablePermits ?? 0;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        response.Headers[LimitHeader] = live.Options.TokenLimit.ToString(CultureInfo.InvariantCulture);
        response.Headers[RemainingHeader] = remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers[ResetHeader] = Math.Max(1, (int)Math.Ceiling(live.Options.ReplenishmentPeriod.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }
}

internal static class TenantRateLimiting
{
    /// <summary>
    /// A token bucket per authenticated tenant (partitioned by the tenant of the certificate, never by anything the
    /// caller sends). Unauthenticated requests are refused by authorization anyway and are not metered. A refusal is a
    /// 429 problem with <c>Retry-After</c>.
    /// </summary>
    public static IServiceCollection AddTenantRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<TenantLimits>();
        services.AddSingleton<TenantBuckets>();
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var tenant = context.User.FindFirst(ExchangeClaims.Tenant)?.Value;
                if (tenant is null)
                {
                    return RateLimitPartition.GetNoLimiter("");
                }
                var buckets = context.RequestServices.GetRequiredService<TenantBuckets>();
                return RateLimitPartition.Get(tenant, buckets.Create);
            });
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRateLimitedAsync;
        });
        return services;
    }

    /// <summary>Adds the RateLimit header fields to every answer to an identified tenant, once its request was metered.</summary>
    public static IApplicationBuilder UseTenantRateLimiting(this IApplicationBuilder app)
    {
        app.UseRateLimiter();
        return app.Use((context, next) =>
        {
            if (context.User.FindFirst(ExchangeClaims.Tenant)?.Value is { } tenant)
            {
                var buckets = context.RequestServices.GetRequiredService<TenantBuckets>();
                context.Response.OnStarting(() =>
                {
                    buckets.WriteHeaders(context.Response, tenant);
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
    }

    private static async ValueTask WriteRateLimitedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (context.User.FindFirst(ExchangeClaims.Tenant)?.Value is { } tenant)
        {
            context.RequestServices.GetRequiredService<TenantBuckets>().WriteHeaders(context.Response, tenant);
        }
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ProblemResults.Create(Problems.RateLimited, $"Retry after {seconds} s.", context: context),
        });
    }
}
