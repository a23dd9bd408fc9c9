using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// Any partner may read checkpoints: they hold only a size, a root hash and a time, and every witness copy makes a
/// later rewrite of the ledger easier to prove. Before the job's first one, the first read signs one.
/// </summary>
internal static class GetLatestCheckpoint
{
    public static async Task<IResult> Handle(ExchangeDb db, AuditCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        var latest = await AuditCheckpoints.LatestAsync(db, cancellationToken) ?? await checkpoints.IssueAsync(db, cancellationToken);
        return latest is null ? Problems.NotFound.ToResult("The audit ledger is empty.") : TypedResults.Ok(ToView(latest));
    }

    public static AuditCheckpoint ToView(AuditCheckpointRecord checkpoint) => new()
    {
        Checkpoint = checkpoint.Jws,
        TreeSize = checkpoint.TreeSize,
        RootHash = Convert.ToHexStringLower(checkpoint.RootHash),
        IssuedAt = checkpoint.IssuedAt,
        TimestampToken = checkpoint.TimestampToken,
    };
}
