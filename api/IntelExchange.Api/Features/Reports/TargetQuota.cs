using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Reports;

/// <summary>
/// The daily target quota of a reporter: the targets of its accepted reports per UTC day may not pass
/// <c>Quotas:DailyTargets</c>. Counted in the intake transaction on a per-(tenant, day) row, so concurrent intakes (on
/// any instance) never overshoot, and a refused or rolled-back report counts nothing. Every report of a reporter
/// updates that one row, so its lock orders them: on PostgreSQL the report's <see cref="TargetQuotaCharge"/> is added
/// to the row by a deferred trigger at COMMIT (the lock is then held only while the commit is written, and a refusal
/// fails the commit: <see cref="IsExceeded"/>); on SQLite, whose writers take turns anyway, by an upsert.
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

    /// <summary>SQLSTATE of the trigger's refusal (see the Throughput migration).</summary>
    public const string ExceededSqlState = "IXQ01";

    /// <summary>Adds the report's charge to the unit of work; on PostgreSQL that is all the quota needs before commit.</summary>
    public static void Charge(ExchangeDb db, Guid reportId, string tenant, int targets, long limit, DateTimeOffset now) =>
        db.TargetQuotaCharges.Add(new TargetQuotaCharge
        {
            ReportId = reportId, TenantId = tenant, Day = DateOnly.FromDateTime(now.UtcDateTime), Targets = targets, DailyLimit = limit,
        });

    /// <summary>Whether a failed commit was the quota trigger refusing it.</summary>
    public static bool IsExceeded(Exception exception) =>
        exception is Npgsql.PostgresException { SqlState: ExceededSqlState } || exception.InnerException is Npgsql.PostgresException { SqlState: ExceededSqlState };

    public static ProblemException Exceeded(long limit, int targets, DateTimeOffset now) =>
        Exceeded(limit, now, $"The daily quota of {limit} targets would be passed by this report's {targets}.");

    /// <summary>
    /// SQLite: adds the report's targets to today's count inside the caller's transaction, or refuses if that would pass
    /// the limit. Call it last before commit: the row stays locked until then.
    /// </summary>
    public static async Task ConsumeAsync(ExchangeDb db, string tenant, int targets, long limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var counted = await db.Database.SqlQuery<long>($"""
            INSERT INTO "TargetQuotaUsage" ("TenantId", "Day", "Targets") VALUES ({tenant}, {day}, {(long)targets})
            ON CONFLICT ("TenantId", "Day") DO UPDATE SET "Targets" = "TargetQuotaUsage"."Targets" + excluded."Targets"
            WHERE "TargetQuotaUsage"."Targets" + excluded."Targets" <= {limit}
            RETURNING "Targets" AS "Value"
            """).ToListAsync(cancellationToken);
        if (counted.Count == 0)
        {
            throw Exceeded(limit, targets, now);
        }
    }

    private static ProblemException Exceeded(long limit, DateTimeOffset now, string detail)
    {
        var nextDay = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        return new ProblemException(Problems.QuotaExceeded, detail,
            new Dictionary<string, object?> { ["dailyTargets"] = limit, ["resetsAt"] = nextDay }, nextDay - now);
    }
}
