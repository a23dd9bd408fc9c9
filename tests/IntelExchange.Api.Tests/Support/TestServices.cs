namespace IntelExchange.Api.Tests.Support;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ started by <c>deploy/test.sh</c> are. Under that script
/// (<c>INTELX_REQUIRE_SERVICES=1</c>) a missing service fails the test; it never passes silently.
/// </summary>
public static class TestServices
{
    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable("INTELX_TEST_POSTGRES");

    public static string? RabbitMqUri => Environment.GetEnvironmentVariable("INTELX_TEST_RABBITMQ");

    public static bool Required => Environment.GetEnvironmentVariable("INTELX_REQUIRE_SERVICES") == "1";

    /// <summary>A connection string to a database of its own for one test class, created on first use by the migrator.</summary>
    public static string PostgresDatabase(string database)
    {
        var baseConnection = PostgresConnectionString
            ?? throw new InvalidOperationException("PostgreSQL is not available: run the tests with deploy/test.sh (INTELX_TEST_POSTGRES is not set).");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(baseConnection) { Database = $"intelx_{database}_{Guid.NewGuid():N}"[..40] };
        return builder.ConnectionString;
    }

    public static string RabbitMq =>
        RabbitMqUri ?? throw new InvalidOperationException("RabbitMQ is not available: run the tests with deploy/test.sh (INTELX_TEST_RABBITMQ is not set).");
}
