using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Changes to the tenant directory that a test needs, applied the way the operator API does (version bump).</summary>
public static class DirectorySetup
{
    /// <summary>Adds a sharing agreement if it is missing and reloads the directory, so it is in force when this returns.</summary>
    public static async Task EnsureAgreementAsync(this ExchangeServer server, string reporter, string agency, bool isDefault = false)
    {
        using (var scope = server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
            if (await db.SharingAgreements.FindAsync(reporter, agency) is null)
            {
                db.SharingAgreements.Add(new SharingAgreement
                {
                    ReporterId = reporter, AgencyId = agency, IsDefault = isDefault, CreatedAt = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync();
                var state = await db.DirectoryStates.FindAsync(1);
                state!.Version++;
                await db.SaveChangesAsync();
            }
        }
        await server.Services.GetRequiredService<TenantDirectory>().RefreshAsync(CancellationToken.None);
    }
}
