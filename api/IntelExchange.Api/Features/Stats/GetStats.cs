using System.Globalization;
using System.Linq.Expressions;
using System.Text.RegularExpressions;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Stats;

/// <summary>
/// Figures for the annual review over the cases opened in [from, to): each reporter sees its own cases, each agency its
/// own, an operator all. The database does the counting (one GROUP BY per view); each median is one indexed
/// ORDER BY … OFFSET query per group, so no case list is ever loaded into memory.
/// </summary>
internal static partial class GetStats
{
    public static readonly string[] GroupNames = ["category", "status", "agency", "month"];

    public static async Task<IResult> Handle(
        HttpContext context, ExchangeDb db, TimeProvider clock, string? from, string? to, string? groupBy, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User);
        var end = ParseInstant(to, "to") ?? clock.GetUtcNow();
        var start = ParseInstant(from, "from") ?? end.AddDays(-365);
        if (start >= end)
        {
            throw new ProblemException(Problems.InvalidQuery, "from must be before to.");
        }
        if (end - start > TimeSpan.FromDays(StatsLimits.MaxPeriodDays))
        {
            throw new ProblemException(Problems.InvalidQuery, $"The period may last at most {StatsLimits.MaxPeriodDays} days.");
        }
        var grouping = groupBy ?? "month";
        if (!GroupNames.Contains(grouping, StringComparer.Ordinal))
        {
            throw new ProblemException(Problems.InvalidQuery, "groupBy must be category, status, agency or month.");
        }

        var all = db.Cases.AsNoTracking();
        if (caller.Is(TenantRoles.Operator))
        {
            // An operator's scope holds no reports or cases; the exchange-wide figures are the one thing it reads of them.
            all = all.IgnoreQueryFilters();
        }
        var cases = Visible(all.Where(c => c.CreatedAt >= start && c.CreatedAt < end), caller);
        var groups = grouping switch
        {
            "category" => await GroupAsync(cases, c => c.Report!.Category, WireNames<ReportCategory>.ToWire, cancellationToken),
            "status" => await GroupAsync(cases, c => c.Status, WireNames<CaseStatus>.ToWire, cancellationToken),
            "agency" => await GroupAsync(cases, c => c.AgencyId, agency => agency, cancellationToken),
            _ => await GroupAsync(cases, c => c.OpenedMonth, month => month, cancellationToken),
        };
        var totals = await GroupAsync(cases, c => true, _ => "total", cancellationToken);

        return TypedResults.Ok(new ExchangeStats
        {
            From = start,
            To = end,
            GroupBy = grouping,
            Totals = totals.SingleOrDefault()?.Figures ?? Empty,
            Groups = groups.OrderBy(g => g.Key, StringComparer.Ordinal).ToList(),
            Reporters = await ReportersAsync(cases, cancellationToken),
        });
    }

    /// <summary>A reporter's own cases and an agency's own cases (both, for a tenant that is both); everything for an operator.</summary>
    private static IQueryable<CaseRecord> Visible(IQueryable<CaseRecord> cases, Caller caller)
    {
        if (caller.Is(TenantRoles.Operator))
        {
            return cases;
        }
        var tenant = caller.TenantId;
        var asReporter = caller.Is(TenantRoles.Reporter);
        var asAgency = caller.Is(TenantRoles.Agency);
        return cases.Where(c => (asReporter && c.ReporterId == tenant) || (asAgency && c.AgencyId == tenant));
    }

    private static async Task<List<StatsGroup>> GroupAsync<TKey>(
        IQueryable<CaseRecord> cases, Expression<Func<CaseRecord, TKey>> key, Func<TKey, string> format, CancellationToken cancellationToken)
    {
        var rows = await cases.GroupBy(key).Select(g => new GroupRow<TKey>
        {
            Key = g.Key,
            Reports = g.Select(c => c.ReportId).Distinct().LongCount(),
            Cases = g.LongCount(),
            Targets = g.Sum(c => (long)c.TargetCount),
            FlaggedTargets = g.Sum(c => (long)c.FlaggedTargets),
            DuplicateTargets = g.Sum(c => (long)c.DuplicateTargets),
            Orders = g.LongCount(c => c.OrderReference != null),
            EnforcedBlocks = g.LongCount(c => c.Enforced),
            Rejections = g.LongCount(c => c.Status == CaseStatus.Rejected),
            Overrides = g.LongCount(c => c.SafeguardOverridden),
            Decided = g.LongCount(c => c.DecisionMilliseconds != null),
        }).Take(StatsLimits.MaxGroups).ToListAsync(cancellationToken);

        var groups = new List<StatsGroup>(rows.Count);
        foreach (var row in rows)
        {
            var median = await MedianSecondsAsync(cases.Where(KeyEquals(key, row.Key)), row.Decided, cancellationToken);
            groups.Add(new StatsGroup
            {
                Key = format(row.Key),
                Figures = new StatsFigures
                {
                    Reports = row.Reports,
                    Cases = row.Cases,
                    Targets = row.Targets,
                    FlaggedTargets = row.FlaggedTargets,
                    DuplicateTargets = row.DuplicateTargets,
                    Orders = row.Orders,
                    EnforcedBlocks = row.EnforcedBlocks,
                    Rejections = row.Rejections,
                    Overrides = row.Overrides,
                    MedianSecondsToDecision = median,
                },
            });
        }
        return groups;
    }

    /// <summary>The median of the decided cases' time to decision: the middle one or two rows of an ordered index scan.</summary>
    private static async Task<double?> MedianSecondsAsync(IQueryable<CaseRecord> cases, long decided, CancellationToken cancellationToken)
    {
        if (decided == 0)
        {
            return null;
        }
        var middle = await cases.Where(c => c.DecisionMilliseconds != null).OrderBy(c => c.DecisionMilliseconds)
            .Select(c => c.DecisionMilliseconds!.Value).Skip((int)((decided - 1) / 2)).Take(decided % 2 == 0 ? 2 : 1)
            .ToListAsync(cancellationToken);
        return middle.Count == 0 ? null : middle.Average() / 1000.0;
    }

    private static async Task<List<ReporterQuality>> ReportersAsync(IQueryable<CaseRecord> cases, CancellationToken cancellationToken)
    {
        var rows = await cases.GroupBy(c => c.ReporterId).Select(g => new
        {
            Reporter = g.Key,
            Cases = g.LongCount(),
            Decided = g.LongCount(c => c.DecisionMilliseconds != null),
            Rejections = g.LongCount(c => c.Status == CaseStatus.Rejected),
            Targets = g.Sum(c => (long)c.TargetCount),
            DuplicateTargets = g.Sum(c => (long)c.DuplicateTargets),
        }).OrderBy(r => r.Reporter).Take(StatsLimits.MaxGroups).ToListAsync(cancellationToken);
        return rows.Select(r => new ReporterQuality
        {
            Reporter = r.Reporter,
            Cases = r.Cases,
            Decided = r.Decided,
            Rejections = r.Rejections,
            RejectionRate = r.Decided == 0 ? null : (double)r.Rejections / r.Decided,
            Targets = r.Targets,
            DuplicateTargets = r.DuplicateTargets,
            DuplicateRate = r.Targets == 0 ? null : (double)r.DuplicateTargets / r.Targets,
        }).ToList();
    }

    private static Expression<Func<CaseRecord, bool>> KeyEquals<TKey>(Expression<Func<CaseRecord, TKey>> key, TKey value) =>
        Expression.Lambda<Func<CaseRecord, bool>>(Expression.Equal(key.Body, Expression.Constant(value, typeof(TKey))), key.Parameters);

    /// <summary>An RFC 3339 date-time, or a date (midnight UTC); null when absent.</summary>
    private static DateTimeOffset? ParseInstant(string? text, string name)
    {
        if (text is null)
        {
            return null;
        }
        if (DatePattern().IsMatch(text)
            && DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            return date;
        }
        if (DateTimePattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant))
        {
            return instant;
        }
        throw new ProblemException(Problems.InvalidQuery,
            $"{name} must be a date (2026-01-01) or an RFC 3339 date-time (2026-01-01T00:00:00Z; write + as %2B).");
    }

    private static readonly StatsFigures Empty = new()
    {
        Reports = 0, Cases = 0, Targets = 0, FlaggedTargets = 0, DuplicateTargets = 0, Orders = 0, EnforcedBlocks = 0, Rejections = 0,
        Overrides = 0, MedianSecondsToDecision = null,
    };

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    private sealed class GroupRow<TKey>
    {
        public required TKey Key { get; init; }
        public long Reports { get; init; }
        public long Cases { get; init; }
        public long Targets { get; init; }
        public long FlaggedTargets { get; init; }
        public long DuplicateTargets { get; init; }
        public long Orders { get; init; }
        public long EnforcedBlocks { get; init; }
        public long Rejections { get; init; }
        public long Overrides { get; init; }
        public long Decided { get; init; }
    }
}
