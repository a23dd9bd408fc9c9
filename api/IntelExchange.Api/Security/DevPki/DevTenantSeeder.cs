using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Hosting;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.Signing;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Security.DevPki;

/// <summary>
/// Registers the demo tenants of the embedded default (ifpi, indecopi, es-mcd, operator), their dev certificates and
/// signing keys, and the sharing agreements ifpi → indecopi (default) and ifpi → es-mcd. Adds only what is missing,
/// and records each addition in the audit ledger, actor <c>exchange</c>.
/// </summary>
internal sealed class DevTenantSeeder(
    IServiceScopeFactory scopes, ExchangeSettings settings, AuditLedger ledger, TimeProvider clock, ILogger<DevTenantSeeder> logger)
    : IHostedService
{
    private static readonly (string Id, string Name, TenantRoles Roles)[] DemoTenants =
    [
        ("ifpi", "IFPI (International Federation of the Phonographic Industry)", TenantRoles.Reporter),
        ("indecopi", "INDECOPI (Peru)", TenantRoles.Agency),
        ("es-mcd", "Ministerio de Cultura y Deporte (Spain)", TenantRoles.Reporter | TenantRoles.Agency),
        ("operator", "IntelExchange operator", TenantRoles.Operator),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.DevPki)
        {
            return;
        }

        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var added = new List<(AuditEntryKind Kind, AuditSubject Subject, object Details)>();
        foreach (var (id, name, roles) in DemoTenants)
        {
            if (await db.Tenants.FindAsync([id], cancellationToken) is null)
            {
                db.Tenants.Add(new Tenant { Id = id, Name = name, Roles = roles, CreatedAt = now });
                added.Add((AuditEntryKind.TenantRegistered, AuditSubject.Tenant(id), new { tenant = id, name, roles = PartnerAuthentication.RoleNames(roles) }));
            }

            var folder = Path.Combine(settings.DevPkiPath, id);
            using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(folder, "client.crt"), cancellationToken));
            var thumbprint = PartnerAuthentication.Sha256Thumbprint(certificate);
            var credential = await db.ClientCredentials.FindAsync([thumbprint], cancellationToken);
            if (credential is null)
            {
                db.ClientCredentials.Add(new ClientCredential
                {
                    Thumbprint = thumbprint,
                    TenantId = id,
                    Subject = certificate.Subject,
                    NotBefore = certificate.NotBefore.ToUniversalTime(),
                    NotAfter = certificate.NotAfter.ToUniversalTime(),
                    CertificatePem = certificate.ExportCertificatePem(),
                    RegisteredAt = now,
                });
                added.Add((AuditEntryKind.CredentialRegistered, AuditSubject.Tenant(id),
                    new { tenant = id, thumbprint, subject = certificate.Subject, notAfter = certificate.NotAfter.ToUniversalTime() }));
            }
            else
            {
                credential.CertificatePem ??= certificate.ExportCertificatePem();
            }

            using var signingKey = ECDsa.Create();
            signingKey.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(folder, "signing.key"), cancellationToken));
            var kid = EcKeys.Thumbprint(signingKey.ExportParameters(false));
            if (await db.SigningKeys.FindAsync([kid], cancellationToken) is null)
            {
                db.SigningKeys.Add(new SigningKey { Kid = kid, TenantId = id, PublicKeyPem = EcKeys.ExportPublicKeyPem(signingKey), RegisteredAt = now });
                added.Add((AuditEntryKind.SigningKeyRegistered, AuditSubject.Tenant(id), new { tenant = id, kid }));
            }
        }

        foreach (var (reporter, agency, isDefault) in new[] { ("ifpi", "indecopi", true), ("ifpi", "es-mcd", false) })
        {
            if (await db.SharingAgreements.FindAsync([reporter, agency], cancellationToken) is null)
            {
                db.SharingAgreements.Add(new SharingAgreement { ReporterId = reporter, AgencyId = agency, IsDefault = isDefault, CreatedAt = now });
                added.Add((AuditEntryKind.AgreementSet, AuditSubject.Agreement(reporter, agency),
                    new { reporter, agency, isDefault }));
            }
        }

        foreach (var (kind, subject, details) in added)
        {
            ledger.Append(db, kind, ExchangeActor, subject, details);
        }
        await db.SaveChangesAsync(cancellationToken);
        if (added.Count > 0)
        {
            await db.DirectoryStates.Where(s => s.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);
            logger.LogInformation("Registered {Count} demo tenants, credentials, keys and agreements from {Folder}", added.Count, settings.DevPkiPath);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private const string ExchangeActor = "exchange";
}
