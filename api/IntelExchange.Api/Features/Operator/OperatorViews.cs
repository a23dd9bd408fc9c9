using System.Linq.Expressions;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>How the operator API shows directory rows.</summary>
internal static class OperatorViews
{
    public static async Task<OperatorTenant?> FindTenantAsync(ExchangeDb db, string id, CancellationToken cancellationToken)
    {
        var row = await TenantRows(db, db.Tenants.Where(t => t.Id == id)).SingleOrDefaultAsync(cancellationToken);
        return row is null ? null : ToTenant(row);
    }

    /// <summary>The tenants (filtered and ordered by the caller) with their counts of certificates and keys in force, as one query.</summary>
    public static IQueryable<TenantRow> TenantRows(ExchangeDb db, IQueryable<Tenant> tenants) => tenants.AsNoTracking().Select(t => new TenantRow(
        t,
        db.ClientCredentials.Count(c => c.TenantId == t.Id && c.RevokedAt == null),
        db.SigningKeys.Count(k => k.TenantId == t.Id && k.RetiredAt == null)));

    public static OperatorTenant ToTenant(TenantRow row) => new()
    {
        Id = row.Tenant.Id,
        Name = row.Tenant.Name,
        Roles = PartnerAuthentication.RoleNames(row.Tenant.Roles).ToList(),
        Suspended = row.Tenant.Suspended,
        CreatedAt = row.Tenant.CreatedAt,
        ActiveCertificates = row.ActiveCertificates,
        ActiveSigningKeys = row.ActiveSigningKeys,
    };

    public static readonly Expression<Func<ClientCredential, OperatorCredential>> AsCredential = c => new OperatorCredential
    {
        Thumbprint = c.Thumbprint,
        Tenant = c.TenantId,
        Subject = c.Subject,
        NotBefore = c.NotBefore,
        NotAfter = c.NotAfter,
        RegisteredAt = c.RegisteredAt,
        RevokedAt = c.RevokedAt,
    };

    public static readonly Expression<Func<SigningKey, OperatorSigningKey>> AsSigningKey = k => new OperatorSigningKey
    {
        Kid = k.Kid,
        Tenant = k.TenantId,
        PublicKeyPem = k.PublicKeyPem,
        RegisteredAt = k.RegisteredAt,
        RetiredAt = k.RetiredAt,
    };

    public static readonly Expression<Func<SharingAgreement, SharingAgreementDetails>> AsAgreement = a => new SharingAgreementDetails
    {
        Reporter = a.ReporterId,
        Agency = a.AgencyId,
        IsDefault = a.IsDefault,
        CreatedAt = a.CreatedAt,
    };

    private static readonly Func<ClientCredential, OperatorCredential> CredentialCompiled = AsCredential.Compile();
    private static readonly Func<SigningKey, OperatorSigningKey> SigningKeyCompiled = AsSigningKey.Compile();
    private static readonly Func<SharingAgreement, SharingAgreementDetails> AgreementCompiled = AsAgreement.Compile();

    public static OperatorCredential ToCredential(ClientCredential credential) => CredentialCompiled(credential);

    public static OperatorSigningKey ToSigningKey(SigningKey key) => SigningKeyCompiled(key);

    public static SharingAgreementDetails ToAgreement(SharingAgreement agreement) => AgreementCompiled(agreement);
}

internal sealed record TenantRow(Tenant Tenant, int ActiveCertificates, int ActiveSigningKeys);
