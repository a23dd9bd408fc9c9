using System.Globalization;
using System.Text.RegularExpressions;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>
/// The client certificates in force (not revoked), soonest to expire first, so an operator sees what will expire
/// before it breaks a partner: <c>expiringWithin=30d</c> keeps those whose notAfter is within 30 days (or past).
/// </summary>
internal static partial class ListCredentials
{
    private const string CursorKind = "operator-credentials";
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(3650);

    public static async Task<IResult> Handle(
        ExchangeDb db, Paging paging, TimeProvider clock, string? expiringWithin, string? after, int? limit, CancellationToken cancellationToken)
    {
        var pageSize = Paging.ParseLimit(limit);
        var query = db.ClientCredentials.AsNoTracking().Where(c => c.RevokedAt == null);
        if (expiringWithin is not null)
        {
            var horizon = clock.GetUtcNow() + ParseWindow(expiringWithin);
            query = query.Where(c => c.NotAfter <= horizon);
        }
        if (paging.Decode(CursorKind, after) is { } position)
        {
            var separator = position.IndexOf('|', StringComparison.Ordinal);
            var afterNotAfter = new DateTimeOffset(long.Parse(position[..separator], CultureInfo.InvariantCulture), TimeSpan.Zero);
            var afterThumbprint = position[(separator + 1)..];
            query = query.Where(c => c.NotAfter > afterNotAfter || (c.NotAfter == afterNotAfter && string.Compare(c.Thumbprint, afterThumbprint) > 0));
        }

        var rows = await query.OrderBy(c => c.NotAfter).ThenBy(c => c.Thumbprint).Take(pageSize + 1)
            .Select(OperatorViews.AsCredential).ToListAsync(cancellationToken);
        var items = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize
            ? paging.Encode(CursorKind, $"{items[^1].NotAfter.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{items[^1].Thumbprint}")
            : null;
        return TypedResults.Ok(new Page<OperatorCredential> { Items = items, Next = next });
    }

    /// <summary><c>30d</c>, <c>12h</c> or <c>90m</c>: a count and a unit, up to ten years.</summary>
    internal static TimeSpan ParseWindow(string text)
    {
        var match = WindowPattern().Match(text);
        if (!match.Success)
        {
            throw new ProblemException(Problems.InvalidQuery, "expiringWithin must be a number of days, hours or minutes, such as 30d, 12h or 90m.");
        }
        var count = int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture);
        var window = match.Groups["unit"].Value switch
        {
            "d" => TimeSpan.FromDays(count),
            "h" => TimeSpan.FromHours(count),
            _ => TimeSpan.FromMinutes(count),
        };
        return window <= MaxWindow ? window : throw new ProblemException(Problems.InvalidQuery, "expiringWithin may be at most 3650d.");
    }

    [GeneratedRegex("^(?<count>[0-9]{1,7})(?<unit>[dhm])$", RegexOptions.CultureInvariant)]
    private static partial Regex WindowPattern();
}
