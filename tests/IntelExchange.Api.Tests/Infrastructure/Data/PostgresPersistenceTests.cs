using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Tests.Infrastructure.Data;

/// <summary>The migrations against the real PostgreSQL started by deploy/test.sh.</summary>
public sealed class PostgresPersistenceTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_a_tenant_round_trips()
    {
        var options = new DbContextOptionsBuilder<ExchangeDb>().UseNpgsql(TestServices.PostgresDatabase("migrate")).Options;
        await using (var db = new ExchangeDb(options))
        {
            db.Scope.ForSystem();
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            db.Tenants.Add(new Tenant { Id = "pe-test", Name = "Round trip", Roles = TenantRoles.Reporter | TenantRoles.Agency, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await using (var db = new ExchangeDb(options))
        {
            db.Scope.ForSystem();
            var tenant = await db.Tenants.SingleAsync(t => t.Id == "pe-test");
            Assert.Equal("Round trip", tenant.Name);
            Assert.Equal(TenantRoles.Reporter | TenantRoles.Agency, tenant.Roles);
            await db.Database.EnsureDeletedAsync();
        }
    }

    [Fact]
    public void The_model_has_no_changes_missing_from_the_migrations()
    {
        var options = new DbContextOptionsBuilder<ExchangeDb>().UseNpgsql("Host=127.0.0.1;Database=unused").Options;
        using var db = new ExchangeDb(options);

        Assert.False(db.Database.HasPendingModelChanges(), "Run: cd api/IntelExchange.Api && dotnet ef migrations add <Name> --output-dir Infrastructure/Data/Migrations");
    }
}
