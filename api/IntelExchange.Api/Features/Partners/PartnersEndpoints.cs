using IntelExchange.Api.Security;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Partners;

internal static class PartnersEndpoints
{
    public static IEndpointRouteBuilder MapPartners(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/partners/me", GetMe)
            .RequireAuthorization(Policies.Partner)
            .WithTags("Partners")
            .WithName("GetPartnerIdentity")
            .WithSummary("Who the client certificate identifies")
            .Produces<PartnerIdentity>();

        app.MapGet("/.well-known/jwks.json", (ExchangeSigningKey key) => TypedResults.Bytes(key.Jwks, "application/jwk-set+json"))
            .RequireAuthorization(Policies.Partner)
            .WithTags("Partners")
            .WithName("GetJwks")
            .WithSummary("The exchange's public keys (receipts, checkpoints)");
        return app;
    }

    private static PartnerIdentity GetMe(HttpContext context, TenantDirectory directory)
    {
        var caller = Caller.From(context.User);
        var tenant = directory.Current.Tenants[caller.TenantId];
        return new PartnerIdentity
        {
            TenantId = tenant.Id,
            Name = tenant.Name,
            Roles = PartnerAuthentication.RoleNames(tenant.Roles).ToList(),
        };
    }
}
