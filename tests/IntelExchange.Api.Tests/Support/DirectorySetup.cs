using System.Security.Cryptography;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security;
using IntelExchange.Api.Security.Signing;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Changes to the tenant directory that a test needs, made as the operator API makes them: with a version bump.</summary>
public static class DirectorySetup
{
    /// <summary>Adds a sharing agreement if it is missing; the directory is reloaded, so it is in force when this returns.</summary>
    public static async Task EnsureAgreementAsync(this ExchangeServer server, string reporter, string agency, bool isDefault = false)
    {
        if (!server.WithDb(db => db.SharingAgreements.Any(a => a.ReporterId == reporter && a.AgencyId == agency)))
        {
            await server.ChangeDirectoryAsync(db => db.SharingAgreements.Add(new SharingAgreement
            {
                ReporterId = reporter, AgencyId = agency, IsDefault = isDefault, CreatedAt = DateTimeOffset.UtcNow,
            }));
        }
    }

    /// <summary>Registers a new public signing key for the tenant and returns its kid (the RFC 7638 thumbprint).</summary>
    public static async Task<string> RegisterSigningKeyAsync(this ExchangeServer server, string tenant, ECDsa key)
    {
        var kid = EcKeys.Thumbprint(key.ExportParameters(includePrivateParameters: false));
        await server.ChangeDirectoryAsync(db => db.SigningKeys.Add(new SigningKey
        {
            Kid = kid, TenantId = tenant, PublicKeyPem = EcKeys.ExportPublicKeyPem(key), RegisteredAt = DateTimeOffset.UtcNow,
        }));
        return kid;
    }

    public static Task RetireSigningKeyAsync(this ExchangeServer server, string kid) =>
        server.ChangeDirectoryAsync(db => db.SigningKeys.Single(k => k.Kid == kid).RetiredAt = DateTimeOffset.UtcNow);

    /// <summary>Changes directory rows as the operator API does: the change, a version bump, then this instance reloads.</summary>
    internal static async Task ChangeDirectoryAsync(this ExchangeServer server, Action<ExchangeDb> change)
    {
        using (var scope = server.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<DataScope>().ForSystem();
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
            change(db);
            (await db.DirectoryStates.FindAsync(1))!.Version++;
            await db.SaveChangesAsync();
        }
        await server.Services.GetRequiredService<TenantDirectory>().RefreshAsync(CancellationToken.None);
    }
}
