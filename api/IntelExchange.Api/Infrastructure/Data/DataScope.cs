using System.Security.Claims;
using IntelExchange.Api.Security.Certificates;

namespace IntelExchange.Api.Infrastructure.Data;

/// <summary>
/// Whose rows a unit of work may see: the global query filters of <see cref="ExchangeDb"/> read it at every query.
/// A request sees the rows of the tenant its certificate names (and an operator the directory); a background job that
/// works across tenants says so with <see cref="DataScopes.CreateSystemScope"/>. A scope that was never set sees
/// nothing, so a forgotten opt-in fails closed.
/// </summary>
internal sealed class DataScope
{
    private bool _set;

    /// <summary>The authenticated tenant, or null in a system scope or one never set.</summary>
    public string? TenantId { get; private set; }

    /// <summary>A system scope: every tenant's rows.</summary>
    public bool AllTenants { get; private set; }

    /// <summary>Tenants, credentials, keys, agreements and operator actions: the operator's and the system's.</summary>
    public bool SeesDirectory { get; private set; }

    public void ForCaller(ClaimsPrincipal user)
    {
        var tenant = user.FindFirstValue(ExchangeClaims.Tenant);
        if (tenant is null)
        {
            return;
        }
        Set(tenant, allTenants: false, seesDirectory: user.HasClaim(ExchangeClaims.Role, PartnerAuthentication.RoleName(TenantRoles.Operator)));
    }

    public void ForSystem() => Set(null, allTenants: true, seesDirectory: true);

    /// <summary>Set once per scope: nothing later in a request can widen or switch whose data it sees.</summary>
    private void Set(string? tenant, bool allTenants, bool seesDirectory)
    {
        if (_set)
        {
            if (TenantId == tenant && AllTenants == allTenants && SeesDirectory == seesDirectory)
            {
                return;
            }
            throw new InvalidOperationException("The data scope of this unit of work is already set.");
        }
        _set = true;
        TenantId = tenant;
        AllTenants = allTenants;
        SeesDirectory = seesDirectory;
    }
}

internal static class DataScopes
{
    /// <summary>A service scope whose database sees every tenant: for jobs that work across tenants, never for a request.</summary>
    public static AsyncServiceScope CreateSystemScope(this IServiceScopeFactory scopes)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().ForSystem();
        return scope;
    }

    /// <summary>After authentication: the request's data scope is the tenant of its certificate.</summary>
    public static IApplicationBuilder UseTenantDataScope(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.RequestServices.GetRequiredService<DataScope>().ForCaller(context.User);
        return next(context);
    });
}
