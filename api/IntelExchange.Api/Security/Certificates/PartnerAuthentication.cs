using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Hosting;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authorization;

namespace IntelExchange.Api.Security.Certificates;

internal static class ExchangeClaims
{
    public const string Tenant = "intelx:tenant";
    public const string Role = "intelx:role";
    public const string CertificateThumbprint = "intelx:cert-sha256";
}

internal static class Policies
{
    public const string Partner = "partner";
    public const string Reporter = "reporter";
    public const string Agency = "agency";
    public const string Operator = "operator";
}

internal static class PartnerAuthentication
{
    /// <summary>
    /// A certificate is accepted only if it chains to a configured partner CA, carries the clientAuth EKU, is within its
    /// validity period, and its SHA-256 thumbprint is registered to an active tenant credential. The fallback policy
    /// fails closed: an endpoint that forgets to name a policy still requires a tenant.
    /// </summary>
    public static IServiceCollection AddPartnerAuthentication(this IServiceCollection services, ExchangeSettings settings)
    {
        var trust = new PartnerTrust(settings);
        services.AddSingleton(trust);

        services.AddAuthentication(CertificateAuthenticationDefaults.AuthenticationScheme)
            .AddCertificate(options =>
            {
                options.AllowedCertificateTypes = CertificateTypes.Chained;
                options.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
                options.CustomTrustStore.AddRange(trust.Roots);
                options.RevocationMode = X509RevocationMode.NoCheck; // revocation is the credential registry, checked below
                options.ValidateCertificateUse = true;
                options.ValidateValidityPeriod = true;
                options.Events = new CertificateAuthenticationEvents { OnCertificateValidated = MapToTenant };
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(PartnerPolicy())
            .AddPolicy(Policies.Partner, PartnerPolicy())
            .AddPolicy(Policies.Reporter, RolePolicy(TenantRoles.Reporter))
            .AddPolicy(Policies.Agency, RolePolicy(TenantRoles.Agency))
            .AddPolicy(Policies.Operator, RolePolicy(TenantRoles.Operator));
        return services;
    }

    private static AuthorizationPolicy PartnerPolicy() =>
        new AuthorizationPolicyBuilder(CertificateAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser().RequireClaim(ExchangeClaims.Tenant).Build();

    private static AuthorizationPolicy RolePolicy(TenantRoles role) =>
        new AuthorizationPolicyBuilder(CertificateAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser().RequireClaim(ExchangeClaims.Tenant).RequireClaim(ExchangeClaims.Role, RoleName(role)).Build();

    public static string RoleName(TenantRoles role) => role switch
    {
        TenantRoles.Reporter => "reporter",
        TenantRoles.Agency => "agency",
        TenantRoles.Operator => "operator",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static IEnumerable<string> RoleNames(TenantRoles roles) =>
        new[] { TenantRoles.Reporter, TenantRoles.Agency, TenantRoles.Operator }.Where(r => roles.HasFlag(r)).Select(RoleName);

    public static string Sha256Thumbprint(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));

    private static Task MapToTenant(CertificateValidatedContext context)
    {
        var directory = context.HttpContext.RequestServices.GetRequiredService<TenantDirectory>().Current;
        var thumbprint = Sha256Thumbprint(context.ClientCertificate);
        if (!directory.Credentials.TryGetValue(thumbprint, out var credential) || credential.Revoked
            || !directory.Tenants.TryGetValue(credential.TenantId, out var tenant) || tenant.Suspended)
        {
            context.Fail("The client certificate is not registered to an active tenant.");
            return Task.CompletedTask;
        }

        var claims = new List<Claim>
        {
            new(ExchangeClaims.Tenant, tenant.Id),
            new(ExchangeClaims.CertificateThumbprint, thumbprint),
            new(ClaimTypes.Name, tenant.Id),
        };
        claims.AddRange(RoleNames(tenant.Roles).Select(role => new Claim(ExchangeClaims.Role, role)));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, context.Scheme.Name));
        context.Success();
        return Task.CompletedTask;
    }
}

/// <summary>The authenticated caller. The tenant always comes from the certificate, never from a body or header.</summary>
internal sealed record Caller(string TenantId, string CertificateThumbprint, IReadOnlySet<string> Roles)
{
    public static Caller From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(ExchangeClaims.Tenant) ?? throw new InvalidOperationException("No tenant on an authorized request."),
        principal.FindFirstValue(ExchangeClaims.CertificateThumbprint) ?? "",
        principal.FindAll(ExchangeClaims.Role).Select(c => c.Value).ToHashSet());

    public bool Is(TenantRoles role) => Roles.Contains(PartnerAuthentication.RoleName(role));
}
