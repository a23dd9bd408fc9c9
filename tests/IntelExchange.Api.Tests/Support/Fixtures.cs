namespace IntelExchange.Api.Tests.Support;

/// <summary>One embedded-default exchange (SQLite, in-memory bus) shared by a test class.</summary>
public sealed class SqliteExchange : IDisposable
{
    public ExchangeServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}

/// <summary>One exchange on the real PostgreSQL started by deploy/test.sh, with a database of its own.</summary>
public sealed class PostgresExchange : IDisposable
{
    public ExchangeServer Server { get; } = ExchangeServer.Postgres("shared");

    public void Dispose() => Server.Dispose();
}
