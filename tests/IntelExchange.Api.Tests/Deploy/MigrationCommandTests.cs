using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Tests.Support;
using Npgsql;

namespace IntelExchange.Api.Tests.Deploy;

/// <summary><c>IntelExchange.Api --migrate-only</c>, as the migration Job and the compose <c>migrate</c> service run it.</summary>
public sealed class MigrationCommandTests
{
    [Fact]
    public async Task Migrate_only_brings_a_new_database_up_to_date_twice_over_and_exits_without_serving()
    {
        var connectionString = TestServices.PostgresDatabase("migrateonly");

        var first = await MigrateAsync(connectionString);
        var second = await MigrateAsync(connectionString);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Schema at migration", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", first.Output, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var applied = new NpgsqlCommand("""SELECT "MigrationId" FROM "__EFMigrationsHistory" ORDER BY 1""", connection);
        var migrations = new List<string>();
        await using (var reader = await applied.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                migrations.Add(reader.GetString(0));
            }
        }
        var shipped = typeof(ExchangeDb).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)))
            .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false)
                .Cast<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>().Single().Id)
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(shipped, migrations);
    }

    [Fact]
    public async Task Migrate_only_exits_non_zero_with_the_reason_when_the_database_refuses()
    {
        var builder = new NpgsqlConnectionStringBuilder(TestServices.PostgresDatabase("migraterefused")) { Username = "no_such_role", Timeout = 5 };

        var result = await MigrateAsync(builder.ConnectionString);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Migration failed", result.Output, StringComparison.Ordinal);
        Assert.Contains("no_such_role", result.Output, StringComparison.Ordinal);
    }

    private static Task<ProcessResult> MigrateAsync(string connectionString) =>
        ExternalProcess.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "IntelExchange.Api.dll"), MigrationCommand.Switch,
             "--Persistence:Provider=postgres", $"--ConnectionStrings:IntelExchange={connectionString}"],
            AppContext.BaseDirectory, TimeSpan.FromMinutes(2));
}
