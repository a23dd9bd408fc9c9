using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Reports;

/// <summary>
/// The daily target quota of a reporter: the targets of its accepted reports per UTC day may not pass
/// <c>Quotas:DailyTargets</c>. Counted in the intake transaction on a per-(tenant, day) row, so concurrent intakes (on
/// any instance) never overshoot, and a refused or rolled-back report counts nothing. Every report of a reporter
/// updates that one row, so its lock orders them. The report's <see cref="TargetQuotaCharge"/> is added to the row by a
/// trigger: on PostgreSQL a deferred one, at COMMIT (the lock is then held only while the commit is written, and a
/// refusal fails the commit); on SQLite, whose writers take turns anyway, a plain one, at the save. Either way the
/// refusal carries <see cref="ExceededSqlState"/> (<see cref="IsExceeded"/>).
/// </summary>
internal sealed class TargetQuota(TenantLimits limits)
{
    /// <summary>Refuses at once a report that alone is larger than the quota.</summary>
    public long Check(string tenant, int targets, DateTimeOffset now)
    {
        var limit = limits.DailyTargets(tenant);
        if (targets > limit)
        {
            throw Exceeded(limit, now, $"This report has {targets} targets; the daily quota is {limit}.");
        }
        return limit;
    }

    /// <summary>The code of the triggers' refusal: PostgreSQL's SQLSTATE (see the Throughput migration), SQLite's message.</summary>
    public const string ExceededSqlState = "IXQ01";

    /// <summary>Adds the report's charge to the unit of work: the trigger counts it, so that is all the quota needs.</summary>
    public static void Charge(ExchangeDb db, Guid reportId, string tenant, int targets, long limit, DateTimeOffset now) =>
        db.TargetQuotaCharges.Add(new TargetQuotaCharge
        {
            ReportId = reportId, TenantId = tenant, Day = DateOnly.FromDateTime(now.UtcDateTime), Targets = targets, DailyLimit = limit,
        });

    /// <summary>Whether a failed save or commit was the quota trigger refusing it.</summary>
    public static bool IsExceeded(Exception exception) => (exception as Npgsql.PostgresException ?? exception.InnerException) switch
    {
        Npgsql.PostgresException postgres => postgres.SqlState == ExceededSqlState,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.Message.Contains(ExceededSqlState, StringComparison.Ordinal),
        _ => false,
    };

    public static ProblemException Exceeded(long limit, int targets, DateTimeOffset now) =>
        Exceeded(limit, now, $"The daily quota of {limit} targets would be passed by this report's {targets}.");

    /// <summary>SQLite's schema comes from the model, so its trigger is created here at startup (PostgreSQL's in a migration).</summary>
    public static Task CountOnSqliteAsync(ExchangeDb db, CancellationToken cancellationToken) => db.Database.ExecuteSqlRawAsync($"""
        CREATE TRIGGER IF NOT EXISTS "TargetQuotaCharges_count" AFTER INSERT ON "TargetQuotaCharges"
        BEGIN
            INSERT INTO "TargetQuotaUsage" ("TenantId", "Day", "Targets") VALUES (NEW."TenantId", NEW."Day", NEW."Targets")
            ON CONFLICT ("TenantId", "Day") DO UPDATE SET "Targets" = "Targets" + excluded."Targets";
            SELECT RAISE(ABORT, '{ExceededSqlState} daily target quota exceeded')
            WHERE (SELECT "Targets" FROM "TargetQuotaUsage" WHERE "TenantId" = NEW."TenantId" AND "Day" = NEW."Day") > NEW."DailyLimit";
        END;
        """, cancellationToken);

    private static ProblemException Exceeded(long limit, DateTimeOffset now, string detail)
    {
        var nextDay = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        return new ProblemException(Problems.QuotaExceeded, detail,
            new Dictionary<string, object?> { ["dailyTargets"] = limit, ["resetsAt"] = nextDay }, nextDay - now);
    }
}
