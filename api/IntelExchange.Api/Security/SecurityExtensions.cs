using IntelExchange.Api.Infrastructure.Hosting;
using IntelExchange.Api.Security.DevPki;
using IntelExchange.Api.Security.Signing;

namespace IntelExchange.Api.Security;

internal static class SecurityExtensions
{
    /// <summary>The tenant directory (kept in memory), the exchange's signing key, signature verification, dev tenants.</summary>
    public static IServiceCollection AddExchangeSecurity(this IServiceCollection services, ExchangeSettings settings)
    {
        services.AddSingleton(new ExchangeSigningKey(settings));
        services.AddSingleton<DetachedJwsVerifier>();
        // Order matters: hosted services start in registration order, after the database migrator.
        services.AddHostedService<DevTenantSeeder>();
        services.AddSingleton<TenantDirectory>();
        services.AddHostedService(provider => provider.GetRequiredService<TenantDirectory>());
        return services;
    }
}
