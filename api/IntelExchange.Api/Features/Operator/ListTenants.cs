using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

internal static class ListTenants
{
    private const string CursorKind = "operator-tenants";

    /// <summary>Every tenant, by id, cursor-paged.</summary>
    public static async Task<IResult> Handle(ExchangeDb db, Paging paging, string? after, int? limit, CancellationToken cancellationToken)
    {
        var pageSize = Paging.ParseLimit(limit);
        var tenants = db.Tenants.AsQueryable();
        if (paging.Decode(CursorKind, after) is { } afterId)
        {
            tenants = tenants.Where(t => string.Compare(t.Id, afterId) > 0);
        }
        var rows = await OperatorViews.TenantRows(db, tenants.OrderBy(t => t.Id).Take(pageSize + 1)).ToListAsync(cancellationToken);
        var items = rows.Take(pageSize).Select(OperatorViews.ToTenant).ToList();
        var next = rows.Count > pageSize ? paging.Encode(CursorKind, items[^1].Id) : null;
        return TypedResults.Ok(new Page<OperatorTenant> { Items = items, Next = next });
    }
}

internal static class GetTenant
{
    /// <summary>A tenant with every certificate and key ever registered to it and the agreements it is party to.</summary>
    public static async Task<IResult> Handle(string id, ExchangeDb db, CancellationToken cancellationToken)
    {
        var tenant = await OperatorViews.FindTenantAsync(db, id, cancellationToken);
        if (tenant is null)
        {
            return Problems.NotFound.ToResult("No such tenant.");
        }
        return TypedResults.Ok(new OperatorTenantDetails
        {
            Tenant = tenant,
            Certificates = await db.ClientCredentials.AsNoTracking().Where(c => c.TenantId == id)
                .OrderBy(c => c.RegisteredAt).ThenBy(c => c.Thumbprint).Select(OperatorViews.AsCredential).ToListAsync(cancellationToken),
            SigningKeys = await db.SigningKeys.AsNoTracking().Where(k => k.TenantId == id)
                .OrderBy(k => k.RegisteredAt).ThenBy(k => k.Kid).Select(OperatorViews.AsSigningKey).ToListAsync(cancellationToken),
            Agreements = await db.SharingAgreements.AsNoTracking().Where(a => a.ReporterId == id || a.AgencyId == id)
                .OrderBy(a => a.ReporterId).ThenBy(a => a.AgencyId).Select(OperatorViews.AsAgreement).ToListAsync(cancellationToken),
        });
    }
}
