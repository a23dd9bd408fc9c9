using System.Runtime.CompilerServices;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>A report's target after screening: its identity key and its flags.</summary>
internal sealed record ScreenedTarget(int Index, ReportTarget Target, string Key, IReadOnlyList<TargetFlag> Flags)
{
    public ReportTargetCheck ToCheck() => new() { Index = Index, Type = Target.Type, Value = TargetIdentity.Display(Target), Flags = Flags };
}

/// <summary>
/// Intake's safeguards: every target is checked against the protected lists (a match flags it, never refuses it), and
/// a target already in an open case of the same agency is linked to that case, so the agency handles it once.
/// </summary>
internal sealed class TargetScreening(ProtectedLists lists)
{
    public IReadOnlyList<ScreenedTarget> Check(InfringementReport report) => Check(lists.Current, report);

    public static IReadOnlyList<ScreenedTarget> Check(ProtectedInfrastructure protectedLists, InfringementReport report) =>
        report.Targets.Select((target, index) => new ScreenedTarget(index, target, TargetIdentity.Key(target), protectedLists.Check(target))).ToList();

    /// <summary>
    /// Per agency: the targets (by index) already in one of its open cases, linked to the earliest such case (which stays
    /// the one to follow while it is open). Two reports of the same target committed at the same instant both count as first.
    /// </summary>
    public static async Task<Dictionary<string, Dictionary<int, EarlierTarget>>> FindDuplicatesAsync(
        ExchangeDb db, IReadOnlyList<ScreenedTarget> targets, IReadOnlyList<string> agencies, CancellationToken cancellationToken)
    {
        var keys = targets.Select(t => t.Key).Distinct().ToList();
        var first = db.IsPostgres
            ? await FirstHoldersPostgresAsync(db, keys, agencies, cancellationToken)
            : await FirstHoldersAsync(db, keys, agencies, cancellationToken);

        var result = new Dictionary<string, Dictionary<int, EarlierTarget>>(StringComparer.Ordinal);
        foreach (var agency in agencies)
        {
            var links = new Dictionary<int, EarlierTarget>();
            foreach (var target in targets)
            {
                if (first.TryGetValue((target.Key, agency), out var match))
                {
                    links[target.Index] = match;
                }
            }
            result[agency] = links;
        }
        return result;
    }

    private static readonly string[] ClosedStatuses =
        [WireNames<CaseStatus>.ToWire(CaseStatus.Rejected), WireNames<CaseStatus>.ToWire(CaseStatus.Withdrawn), WireNames<CaseStatus>.ToWire(CaseStatus.Lifted)];

    private static async Task<Dictionary<(string Key, string AgencyId), EarlierTarget>> FirstHoldersPostgresAsync(
        ExchangeDb db, List<string> keys, IReadOnlyList<string> agencies, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<EarlierTarget>(FirstHoldersPostgresQuery(keys, agencies)).ToListAsync(cancellationToken);
        return rows.ToDictionary(r => (r.Key, r.AgencyId));
    }

    /// <summary>
    /// A few index probes per (key, agency), however often the target was reported before: the lateral subquery walks
    /// the key's rows of <c>ReportTargets</c> in report-id order (UUIDv7, so arrival order to the millisecond) and stops
    /// at the first report with an open case for the agency. The inner LIMIT keeps the planner from turning the walk
    /// into a scan of all the agency's cases, even with a generic plan (statements are prepared) or stale statistics.
    /// The key is matched as a closed range and the walk ordered by (key, report, index), an order only the key index
    /// gives: with <c>t."Key" = k."Key"</c> the planner may instead walk the primary key (report, index) in order and
    /// filter on the key, which it prefers when the statistics say every key is common (a sample of a few repeated
    /// targets, fresh rows not yet all-visible) and which reads the whole table for a new key: 1.4 s per 1,000-target
    /// report in the benchmark, against 5–7 ms this way (EXPLAIN ANALYZE; see docs/benchmarks.md).
    /// </summary>
    internal static FormattableString FirstHoldersPostgresQuery(IReadOnlyCollection<string> keys, IReadOnlyCollection<string> agencies) => $"""
        SELECT k."Key", a."AgencyId", h."CaseId", h."ReportId", h."Index", h."ReporterId", h."CreatedAt"
        FROM unnest({keys.ToArray()}::text[]) AS k("Key")
        CROSS JOIN unnest({agencies.ToArray()}::text[]) AS a("AgencyId")
        CROSS JOIN LATERAL (
            SELECT c."CaseId", t."ReportId", t."Index", c."ReporterId", c."CreatedAt"
            FROM "ReportTargets" AS t
            CROSS JOIN LATERAL (
                SELECT c."Id" AS "CaseId", c."ReporterId", c."CreatedAt" FROM "Cases" AS c
                WHERE c."ReportId" = t."ReportId" AND c."AgencyId" = a."AgencyId" AND NOT (c."Status" = ANY ({ClosedStatuses}::text[]))
                LIMIT 1) AS c
            WHERE t."Key" >= k."Key" AND t."Key" <= k."Key"
            ORDER BY t."Key", t."ReportId", t."Index"
            LIMIT 1) AS h
        """;

    /// <summary>The portable form (the embedded SQLite default): earliest case by creation time, then case id and index.</summary>
    private static async Task<Dictionary<(string Key, string AgencyId), EarlierTarget>> FirstHoldersAsync(
        ExchangeDb db, List<string> keys, IReadOnlyList<string> agencies, CancellationToken cancellationToken)
    {
        var first = new Dictionary<(string Key, string AgencyId), EarlierTarget>();
        foreach (var chunk in keys.Chunk(500))
        {
            // Deliberately across submitters: the agency should see one request per target whoever sent it first. Only
            // ids leave this method, and outcomes hide another submitter's ids from the caller (CaseTargetViews).
            var holders = from target in db.ReportTargets.IgnoreQueryFilters()
                          join c in db.Cases.IgnoreQueryFilters() on target.ReportId equals c.ReportId
                          where chunk.Contains(target.Key) && agencies.Contains(c.AgencyId)
                                && c.Status != CaseStatus.Rejected && c.Status != CaseStatus.Withdrawn && c.Status != CaseStatus.Lifted
                          select new { target.Key, c.AgencyId, CaseId = c.Id, c.ReportId, target.Index, c.ReporterId, c.CreatedAt };
            // Two steps, so a target reported a thousand times costs one row per agency, not a thousand.
            var earliest = await holders.GroupBy(h => new { h.Key, h.AgencyId })
                .Select(g => new { g.Key.Key, g.Key.AgencyId, CreatedAt = g.Min(h => h.CreatedAt) }).ToListAsync(cancellationToken);
            var instants = earliest.Select(e => e.CreatedAt).Distinct().ToList();
            var candidates = await holders.Where(h => instants.Contains(h.CreatedAt)).ToListAsync(cancellationToken);
            foreach (var e in earliest)
            {
                first[(e.Key, e.AgencyId)] = candidates
                    .Where(c => c.Key == e.Key && c.AgencyId == e.AgencyId && c.CreatedAt == e.CreatedAt)
                    .OrderBy(c => c.CaseId).ThenBy(c => c.Index)
                    .Select(c => new EarlierTarget(c.Key, c.AgencyId, c.CaseId, c.ReportId, c.Index, c.ReporterId, c.CreatedAt)).First();
            }
        }
        return first;
    }

    internal sealed record EarlierTarget(string Key, string AgencyId, Guid CaseId, Guid ReportId, int Index, string ReporterId, DateTimeOffset CreatedAt);
}

/// <summary>
/// A report's per-target rows (its targets, and each case's links to earlier cases), written in the intake's transaction
/// after the report and its cases. On PostgreSQL one <c>INSERT … SELECT FROM unnest(…)</c> per table: a 1,000-target
/// report is two statements of a few arrays, where the change tracker would build, track and send 2,000 single-row
/// inserts (about 10 MB of allocation per such report in an allocation trace). On SQLite (in-process) the change
/// tracker writes them.
/// </summary>
internal sealed class TargetRows
{
    private readonly List<ReportTargetRecord> _targets = [];
    private readonly List<TargetDuplicateRecord> _links = [];

    public void AddTargets(Guid reportId, IReadOnlyList<ScreenedTarget> targets)
    {
        foreach (var target in targets)
        {
            _targets.Add(new ReportTargetRecord
            {
                ReportId = reportId,
                Index = target.Index,
                Type = target.Target.Type,
                Key = target.Key,
                Flags = target.Flags.Count == 0 ? null : JsonSerializer.Serialize(target.Flags, ExchangeJson.Strict),
            });
        }
    }

    public List<TargetDuplicateRecord> Link(Guid caseId, IReadOnlyDictionary<int, TargetScreening.EarlierTarget> links)
    {
        var records = links.Select(link => new TargetDuplicateRecord
        {
            CaseId = caseId,
            Index = link.Key,
            DuplicateOfCaseId = link.Value.CaseId,
            DuplicateOfReportId = link.Value.ReportId,
            DuplicateOfIndex = link.Value.Index,
            DuplicateOfReporterId = link.Value.ReporterId,
        }).ToList();
        _links.AddRange(records);
        return records;
    }

    /// <summary>Writes the rows in the open transaction; the report and cases they refer to must be saved already.</summary>
    public async Task WriteAsync(ExchangeDb db, CancellationToken cancellationToken)
    {
        if (!db.IsPostgres)
        {
            db.ReportTargets.AddRange(_targets);
            db.TargetDuplicates.AddRange(_links);
            await db.SaveChangesAsync(cancellationToken);
            return;
        }

        // One round trip: Npgsql sends the two statements of one command as a batch.
        object[] arguments =
        [
            _targets.Select(t => t.ReportId).ToArray(), _targets.Select(t => t.Index).ToArray(),
            _targets.Select(t => WireNames<TargetType>.ToWire(t.Type)).ToArray(), _targets.Select(t => t.Key).ToArray(),
            _targets.Select(t => t.Flags).ToArray(),
            .. _links.Count == 0 ? Array.Empty<object>() :
            [
                _links.Select(l => l.CaseId).ToArray(), _links.Select(l => l.Index).ToArray(), _links.Select(l => l.DuplicateOfCaseId).ToArray(),
                _links.Select(l => l.DuplicateOfReportId).ToArray(), _links.Select(l => l.DuplicateOfIndex).ToArray(),
                _links.Select(l => l.DuplicateOfReporterId).ToArray(),
            ],
        ];
        var sql = _links.Count == 0 ? InsertTargets : InsertTargets + ";\n" + InsertLinks;
        await db.Database.ExecuteSqlAsync(FormattableStringFactory.Create(sql, arguments), cancellationToken);
    }

    private const string InsertTargets = """
        INSERT INTO "ReportTargets" ("ReportId", "Index", "Type", "Key", "Flags")
        SELECT * FROM unnest({0}::uuid[], {1}::integer[], {2}::text[], {3}::text[], {4}::text[])
        """;

    private const string InsertLinks = """
        INSERT INTO "TargetDuplicates" ("CaseId", "Index", "DuplicateOfCaseId", "DuplicateOfReportId", "DuplicateOfIndex", "DuplicateOfReporterId")
        SELECT * FROM unnest({5}::uuid[], {6}::integer[], {7}::uuid[], {8}::uuid[], {9}::integer[], {10}::text[])
        """;
}
