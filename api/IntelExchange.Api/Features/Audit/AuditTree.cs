using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// The Merkle tree over the committed ledger, in memory. Entries never change, so the cache only grows: each refresh
/// reads the entry hashes appended since. Besides the leaves it keeps the hash of every complete, aligned subtree of
/// 2^k leaves (built as leaves arrive), which are exactly the left subtrees RFC 9162's split produces; so a root or a
/// proof costs O(log² n) hashes instead of O(n). Memory: about 100 bytes per entry.
/// </summary>
internal sealed class AuditTree
{
    private const int RefreshBatch = 5000;

    /// <summary>levels[k][j] is the hash of leaves [j·2^k, (j+1)·2^k); levels[0] are the leaves.</summary>
    private readonly List<List<byte[]>> _levels = [[]];
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lock _lock = new();

    public long Size
    {
        get
        {
            lock (_lock)
            {
                return _levels[0].Count;
            }
        }
    }

    /// <summary>Reads entries committed since the last refresh; returns the size of the tree now known.</summary>
    public async Task<long> RefreshAsync(ExchangeDb db, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var from = Size;
                var batch = await db.Set<AuditEntryRecord>().AsNoTracking()
                    .Where(e => e.Index >= from).OrderBy(e => e.Index).Take(RefreshBatch)
                    .Select(e => new { e.Index, e.EntryHash }).ToListAsync(cancellationToken);
                lock (_lock)
                {
                    foreach (var row in batch)
                    {
                        if (row.Index != _levels[0].Count)
                        {
                            // Appends are serialised, so indexes commit in order; a gap would mean a corrupt ledger.
                            throw new InvalidOperationException($"Audit entry {_levels[0].Count} is missing; entry {row.Index} follows it.");
                        }
                        Append(row.EntryHash);
                    }
                }
                if (batch.Count < RefreshBatch)
                {
                    return Size;
                }
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    public byte[] Root(long treeSize)
    {
        lock (_lock)
        {
            CheckSize(treeSize);
            return treeSize == 0 ? MerkleTree.Root([]) : Subtree(0, treeSize);
        }
    }

    public byte[] LeafHash(long index)
    {
        lock (_lock)
        {
            return _levels[0][checked((int)index)];
        }
    }

    public List<byte[]> InclusionProof(long index, long treeSize)
    {
        lock (_lock)
        {
            CheckSize(treeSize);
            return MerkleTree.InclusionProof(index, treeSize, Subtree);
        }
    }

    public List<byte[]> ConsistencyProof(long from, long to)
    {
        lock (_lock)
        {
            CheckSize(to);
            return MerkleTree.ConsistencyProof(from, to, Subtree);
        }
    }

    private void CheckSize(long treeSize)
    {
        if (treeSize < 0 || treeSize > _levels[0].Count)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), $"The tree holds {_levels[0].Count} entries, not {treeSize}.");
        }
    }

    private void Append(byte[] leafHash)
    {
        _levels[0].Add(leafHash);
        for (var level = 0; _levels[level].Count % 2 == 0; level++)
        {
            if (_levels.Count == level + 1)
            {
                _levels.Add([]);
            }
            var nodes = _levels[level];
            _levels[level + 1].Add(MerkleTree.NodeHash(nodes[^2], nodes[^1]));
        }
    }

    /// <summary>MTH(D[start:end]); a complete aligned subtree is read from its level, anything else splits as RFC 9162 says.</summary>
    private byte[] Subtree(long start, long end)
    {
        var width = end - start;
        if ((width & (width - 1)) == 0 && start % width == 0)
        {
            var level = System.Numerics.BitOperations.Log2((ulong)width);
            return _levels[level][(int)(start / width)];
        }
        var k = MerkleTree.SplitPoint(width);
        return MerkleTree.NodeHash(Subtree(start, start + k), Subtree(start + k, end));
    }
}
