using IntelExchange.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// Triggers that refuse UPDATE and DELETE on the ledger and its checkpoints. PostgreSQL gets them from the AuditLedger
/// migration (and TRUNCATE besides); SQLite, whose schema comes from the model, gets them here at startup.
/// </summary>
internal static class AuditAppendOnly
{
    public static async Task ProtectSqliteAsync(ExchangeDb db, CancellationToken cancellationToken)
    {
        foreach (var table in new[] { "AuditEntries", "AuditCheckpoints" })
        {
            foreach (var operation in new[] { "UPDATE", "DELETE" })
            {
                var trigger = $"""
                    CREATE TRIGGER IF NOT EXISTS "{table}_append_only_{operation.ToLowerInvariant()}" BEFORE {operation} ON "{table}"
                    BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END;
                    """;
                await db.Database.ExecuteSqlRawAsync(trigger, cancellationToken);
            }
        }
    }
}
