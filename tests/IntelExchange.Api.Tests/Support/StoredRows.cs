namespace IntelExchange.Api.Tests.Support;

/// <summary>How many rows intake writes: a refused request must leave every one of these counts unchanged.</summary>
public sealed record StoredRows(int Reports, int Cases, int CaseEvents, int OutboxMessages, int IdempotencyRecords, int CallbackDeliveries)
{
    public static StoredRows Count(ExchangeServer server) => server.WithDb(db => new StoredRows(
        db.Reports.Count(), db.Cases.Count(), db.CaseEvents.Count(), db.OutboxMessages.Count(), db.IdempotencyRecords.Count(),
        db.CallbackDeliveries.Count()));
}
