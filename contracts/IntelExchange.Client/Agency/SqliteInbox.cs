using Microsoft.Data.Sqlite;

namespace IntelExchange.Client.Agency;

/// <summary>
/// The agency's inbox: one row per (MessageId, consumer). A message whose row is <c>done</c> is dropped; one whose
/// handling was interrupted (a crash while <c>processing</c>) is handled again after a lease, so handling is at least
/// once and duplicates from redelivery are never seen by the handler.
/// </summary>
public sealed class SqliteInbox
{
    private static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(2);
    private readonly string _connectionString;

    // One writer at a time in this process. SQLite has a single writer anyway; concurrent consumers that collide get
    // SQLITE_BUSY, and Microsoft.Data.Sqlite retries that by sleeping, which put hundreds of milliseconds on the tail.
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>Opens (and creates if needed) the inbox at <paramref name="path"/>.</summary>
    public SqliteInbox(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS inbox (
                message_id TEXT NOT NULL, consumer TEXT NOT NULL, state TEXT NOT NULL,
                received_at INTEGER NOT NULL, completed_at INTEGER NULL,
                PRIMARY KEY (message_id, consumer));
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>True when this message should be handled now; false for a duplicate.</summary>
    public async Task<bool> TryBeginAsync(Guid messageId, string consumer, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            return await TryBeginCoreAsync(messageId, consumer, cancellationToken);
        }
        finally
        {
            _writer.Release();
        }
    }

    private async Task<bool> TryBeginCoreAsync(Guid messageId, string consumer, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        command.CommandText = """
            INSERT INTO inbox (message_id, consumer, state, received_at) VALUES ($id, $consumer, 'processing', $now)
            ON CONFLICT (message_id, consumer) DO UPDATE SET received_at = $now
            WHERE inbox.state = 'processing' AND inbox.received_at < $stale;
            """;
        command.Parameters.AddWithValue("$id", messageId.ToString());
        command.Parameters.AddWithValue("$consumer", consumer);
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$stale", now - (long)ProcessingLease.TotalMilliseconds);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Marks the message handled: every later copy is dropped.</summary>
    public Task CompleteAsync(Guid messageId, string consumer, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE inbox SET state = 'done', completed_at = $now WHERE message_id = $id AND consumer = $consumer",
            messageId, consumer, cancellationToken);

    /// <summary>Forgets a failed attempt so a retry or redelivery handles the message again.</summary>
    public Task AbandonAsync(Guid messageId, string consumer, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM inbox WHERE message_id = $id AND consumer = $consumer AND state = 'processing'",
            messageId, consumer, cancellationToken);

    private async Task ExecuteAsync(string sql, Guid messageId, string consumer, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = Open();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$id", messageId.ToString());
            command.Parameters.AddWithValue("$consumer", consumer);
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _writer.Release();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
