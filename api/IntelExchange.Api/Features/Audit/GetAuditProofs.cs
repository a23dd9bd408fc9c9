using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// <c>GET /v1/audit/proofs/inclusion?index=&amp;treeSize=</c>: the proof carries the entry itself, so only an operator or a
/// tenant the entry concerns may have it; anyone else gets 404, as if the entry did not exist. Without
/// <c>treeSize</c> the proof is for the latest checkpoint (signed now if none covers the entry yet).
/// </summary>
internal static class GetInclusionProof
{
    public static async Task<IResult> Handle(
        HttpContext context, ExchangeDb db, AuditTree tree, AuditCheckpoints checkpoints, long? index, long? treeSize, CancellationToken cancellationToken)
    {
        if (index is not >= 0)
        {
            throw new ProblemException(Problems.InvalidQuery, "index must be given, 0 or more.");
        }
        var caller = Caller.From(context.User);
        var entry = await db.Set<AuditEntryRecord>().AsNoTracking().SingleOrDefaultAsync(e => e.Index == index, cancellationToken);
        if (entry is null || !(caller.Is(TenantRoles.Operator) || entry.PartyList.Contains(caller.TenantId)))
        {
            return Problems.NotFound.ToResult();
        }

        var known = await tree.RefreshAsync(db, cancellationToken);
        long size;
        if (treeSize is { } requested)
        {
            size = requested;
            if (size <= index || size > known)
            {
                throw new ProblemException(Problems.InvalidQuery, $"treeSize must be above index and at most the ledger's size ({known}).");
            }
        }
        else
        {
            size = (await checkpoints.CoveringAsync(db, index.Value + 1, cancellationToken))!.TreeSize;
        }
        return TypedResults.Ok(Proof(tree, entry, size));
    }

    public static AuditInclusionProof Proof(AuditTree tree, AuditEntryRecord entry, long treeSize) => new()
    {
        Index = entry.Index,
        TreeSize = treeSize,
        LeafHash = Convert.ToHexStringLower(entry.EntryHash),
        AuditPath = tree.InclusionProof(entry.Index, treeSize).Select(Convert.ToHexStringLower).ToList(),
        Entry = entry.Entry,
    };
}

/// <summary>
/// <c>GET /v1/audit/proofs/consistency?from=&amp;to=</c>: any partner, because a witness must be able to check that the
/// checkpoint it holds is a prefix of a newer one, and the proof holds only hashes.
/// </summary>
internal static class GetConsistencyProof
{
    public static async Task<IResult> Handle(ExchangeDb db, AuditTree tree, long? from, long? to, CancellationToken cancellationToken)
    {
        var size = await tree.RefreshAsync(db, cancellationToken);
        if (from is not >= 1 || to is not { } newer || newer < from || newer > size)
        {
            throw new ProblemException(Problems.InvalidQuery, $"from and to must satisfy 1 <= from <= to <= {size} (the ledger's size).");
        }
        return TypedResults.Ok(new AuditConsistencyProof
        {
            From = from.Value,
            To = newer,
            Proof = tree.ConsistencyProof(from.Value, newer).Select(Convert.ToHexStringLower).ToList(),
        });
    }
}
