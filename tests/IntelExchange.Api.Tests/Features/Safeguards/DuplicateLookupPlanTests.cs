using System.Globalization;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IntelExchange.Api.Tests.Features.Safeguards;

/// <summary>
/// The PostgreSQL duplicate lookup walks the target-key index whatever the statistics say. The database is shaped as
/// the benchmark left it when a 1,000-target report took 1.4 s to screen: thousands of reports naming the same six
/// targets (so ANALYZE finds six distinct keys), rows not yet vacuumed, then a report of new targets. The old query
/// (<c>t."Key" = k."Key"</c> ordered by report) was planned as a walk of the primary key filtered on the key there.
/// </summary>
public sealed class DuplicateLookupPlanTests
{
    private const int CommonReports = 2000;
    private const int NewTargets = 1000;

    [Fact]
    public async Task The_lookup_of_new_targets_walks_the_key_index_on_skewed_statistics_with_custom_and_generic_plans()
    {
        await using var connection = await OpenShapedDatabaseAsync("plan");
        var newKeys = Enumerable.Range(0, NewTargets).Select(i => Key($"new-{i}")).ToList();

        foreach (var planMode in new[] { "force_custom_plan", "force_generic_plan" })
        {
            await ExecuteAsync(connection, $"SET plan_cache_mode = {planMode}");
            var plan = await ExplainAsync(connection, TargetScreening.FirstHoldersPostgresQuery(newKeys, ["indecopi"]));

            Assert.Contains("IX_ReportTargets_Key_ReportId_Index", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("PK_ReportTargets", plan, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_lookup_finds_the_earliest_report_holding_each_key_for_the_agency()
    {
        await using var connection = await OpenShapedDatabaseAsync("rows");

        var rows = await QueryAsync(connection, TargetScreening.FirstHoldersPostgresQuery([Key("common-3"), Key("new-7"), Key("unknown")], ["indecopi", "es-mcd"]));

        Assert.Equal(2, rows.Count);
        Assert.Contains((Key("common-3"), "indecopi", Id(ReportPrefix, 1), 3), rows);
        Assert.Contains((Key("new-7"), "indecopi", Id(ReportPrefix, CommonReports + 1), 7), rows);
    }

    private const string ReportPrefix = "00000000-0000-7000-8000-";
    private const string CasePrefix = "00000000-0000-7000-9000-";

    /// <summary>Keys shaped as the exchange's (64 hex characters), rows in arrival order (report by report), as intake writes them.</summary>
    private static string KeyOf(string sqlText) => $"encode(sha256(({sqlText})::bytea), 'hex')";

    private static string Key(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static Guid Id(string prefix, int n) => Guid.Parse(prefix + n.ToString("x12", CultureInfo.InvariantCulture));

    /// <summary>A fresh schema (the exchange's migrations) filled as described above, foreign keys not enforced for the fill.</summary>
    private static async Task<NpgsqlConnection> OpenShapedDatabaseAsync(string name)
    {
        using var server = ExchangeServer.Postgres($"dupplan{name}");
        _ = server.Services; // starts the exchange, which creates and migrates its database
        var connectionString = server.Services.GetRequiredService<IConfiguration>()["ConnectionStrings:IntelExchange"]!;

        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "SET session_replication_role = replica");
        await ExecuteAsync(connection, $"""
            INSERT INTO "ReportTargets" ("ReportId", "Index", "Type", "Key")
            SELECT ('{ReportPrefix}' || lpad(to_hex(r), 12, '0'))::uuid, i, 'domain', {KeyOf("'common-' || i")}
            FROM generate_series(1, {CommonReports}) AS r CROSS JOIN LATERAL generate_series(0, 5) AS i
            ORDER BY r, i;
            """);
        await InsertCasesAsync(connection, 1, CommonReports);
        await ExecuteAsync(connection, """ANALYZE "ReportTargets"; ANALYZE "Cases";""");
        await ExecuteAsync(connection, $"""
            INSERT INTO "ReportTargets" ("ReportId", "Index", "Type", "Key")
            SELECT ('{ReportPrefix}' || lpad(to_hex({CommonReports + 1}), 12, '0'))::uuid, i, 'domain', {KeyOf("'new-' || i")}
            FROM generate_series(0, {NewTargets - 1}) AS i;
            """);
        await InsertCasesAsync(connection, CommonReports + 1, CommonReports + 1);
        return connection;
    }

    private static Task InsertCasesAsync(NpgsqlConnection connection, int from, int to) => ExecuteAsync(connection, $"""
        INSERT INTO "Cases" ("Id", "ReportId", "AgencyId", "ReporterId", "Status", "Sequence", "CreatedAt", "UpdatedAt", "OpenedMonth")
        SELECT ('{CasePrefix}' || lpad(to_hex(r), 12, '0'))::uuid, ('{ReportPrefix}' || lpad(to_hex(r), 12, '0'))::uuid,
               'indecopi', 'ifpi', 'received', 1, now(), now(), '2026-12'
        FROM generate_series({from}, {to}) AS r;
        """);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The query exactly as the exchange sends it, with its arguments as positional parameters.</summary>
    private static NpgsqlCommand CommandFor(NpgsqlConnection connection, FormattableString query, string prefix = "")
    {
        var arguments = query.GetArguments();
        var sql = string.Format(CultureInfo.InvariantCulture, query.Format,
            Enumerable.Range(1, arguments.Length).Select(i => (object)$"${i}").ToArray());
        var command = new NpgsqlCommand(prefix + sql, connection);
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
        }
        return command;
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, FormattableString query)
    {
        await using var command = CommandFor(connection, query, "EXPLAIN ");
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join('\n', lines);
    }

    private static async Task<List<(string Key, string Agency, Guid ReportId, int Index)>> QueryAsync(NpgsqlConnection connection, FormattableString query)
    {
        await using var command = CommandFor(connection, query);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, Guid, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetGuid(3), reader.GetInt32(4)));
        }
        return rows;
    }
}
