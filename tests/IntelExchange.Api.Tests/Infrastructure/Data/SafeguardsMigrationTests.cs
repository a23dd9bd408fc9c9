using System.Text;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Infrastructure.Data;

/// <summary>The Safeguards migration on a database that already holds cases, against the real PostgreSQL.</summary>
public sealed class SafeguardsMigrationTests
{
    [Fact]
    public async Task Cases_opened_before_the_migration_get_their_month_and_target_count_for_the_statistics()
    {
        var options = new DbContextOptionsBuilder<ExchangeDb>().UseNpgsql(TestServices.PostgresDatabase("sgmigrate")).Options;
        await using var db = new ExchangeDb(options);
        db.Scope.ForSystem();
        var migrator = db.GetInfrastructure().GetRequiredService<IMigrator>();
        await migrator.MigrateAsync("20261128193000_CasesAndCallbacks");
        var (reportId, caseId) = (Guid.NewGuid(), Guid.NewGuid());
        var body = Encoding.UTF8.GetBytes(SampleReports.Json());
        var openedAt = new DateTimeOffset(2026, 3, 31, 23, 30, 0, TimeSpan.FromHours(-5)).ToUniversalTime();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "Reports" ("Id", "TenantId", "ExternalId", "Category", "Status", "ReceivedAt", "Body", "Jws", "BodySha256", "Kid", "Jti", "ClientCertificateThumbprint", "Receipt")
            VALUES ({reportId}, 'ifpi', 'OLD-1', 'stream_ripping', 'received', {openedAt}, {body}, 'jws', 'sha', 'kid', 'jti', 'thumb', 'receipt')
            """);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO "Cases" ("Id", "ReportId", "AgencyId", "ReporterId", "Status", "Sequence", "CreatedAt", "UpdatedAt")
            VALUES ({caseId}, {reportId}, 'indecopi', 'ifpi', 'received', 1, {openedAt}, now())
            """);

        await db.Database.MigrateAsync();

        var migrated = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == caseId);
        Assert.Equal("2026-04", migrated.OpenedMonth);
        Assert.Equal(6, migrated.TargetCount);
        Assert.Equal(0, migrated.FlaggedTargets);
        Assert.Null(migrated.DecisionMilliseconds);
        await db.Database.EnsureDeletedAsync();
    }
}
