using System.Security.Cryptography;

namespace IntelExchange.Contracts;

/// <summary>
/// RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, section 2.1: the leaf hash is SHA-256(0x00 || entry),
/// an interior node SHA-256(0x01 || left || right), and a tree of n leaves splits at the largest power of two below n.
/// Proofs are built from any source of subtree hashes, so the exchange can serve them from its cache and a verifier
/// from a plain list of leaves. It lives in the contract because partners must hash exactly as the exchange does.
/// </summary>
public static class MerkleTree
{
    /// <summary>The size of every hash, in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>SHA-256(0x00 || entry).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> entry)
    {
        var input = new byte[entry.Length + 1];
        entry.CopyTo(input.AsSpan(1));
        return SHA256.HashData(input);
    }

    /// <summary>SHA-256(0x01 || left || right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + 2 * HashSize];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>The largest power of two strictly less than <paramref name="n"/> (n ≥ 2).</summary>
    public static long SplitPoint(long n)
    {
        var k = 1L;
        while (k << 1 < n)
        {
            k <<= 1;
        }
        return k;
    }

    /// <summary>MTH(D[n]) over leaf hashes; the empty tree's root is SHA-256 of nothing.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes) =>
        leafHashes.Count == 0 ? SHA256.HashData([]) : SubtreeOf(leafHashes)(0, leafHashes.Count);

    /// <summary>A subtree hash function over a list of leaf hashes: MTH(D[start:end]).</summary>
    public static Func<long, long, byte[]> SubtreeOf(IReadOnlyList<byte[]> leafHashes)
    {
        byte[] Subtree(long start, long end)
        {
            if (end - start == 1)
            {
                return leafHashes[(int)start];
            }
            var k = SplitPoint(end - start);
            return NodeHash(Subtree(start, start + k), Subtree(start + k, end));
        }
        return Subtree;
    }

    /// <summary>PATH(m, D[n]) of RFC 9162 section 2.1.3.1, leaf to root.</summary>
    public static List<byte[]> InclusionProof(long index, long treeSize, Func<long, long, byte[]> subtree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, treeSize);
        var path = new List<byte[]>();
        Path(index, 0, treeSize);
        return path;

        void Path(long m, long start, long end)
        {
            if (end - start <= 1)
            {
                return;
            }
            var k = SplitPoint(end - start);
            if (m < k)
            {
                Path(m, start, start + k);
                path.Add(subtree(start + k, end));
            }
            else
            {
                Path(m - k, start + k, end);
                path.Add(subtree(start, start + k));
            }
        }
    }

    /// <summary>PROOF(m, D[n]) of RFC 9162 section 2.1.4.1: that the tree of size m is a prefix of the tree of size n.</summary>
    public static List<byte[]> ConsistencyProof(long first, long second, Func<long, long, byte[]> subtree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, second);
        var proof = new List<byte[]>();
        if (first == 0 || first == second)
        {
            return proof;
        }
        SubProof(first, 0, second, complete: true);
        return proof;

        void SubProof(long m, long start, long end, bool complete)
        {
            if (m == end - start)
            {
                if (!complete)
                {
                    proof.Add(subtree(start, end));
                }
                return;
            }
            var k = SplitPoint(end - start);
            if (m <= k)
            {
                SubProof(m, start, start + k, complete);
                proof.Add(subtree(start + k, end));
            }
            else
            {
                SubProof(m - k, start + k, end, complete: false);
                proof.Add(subtree(start, start + k));
            }
        }
    }

    /// <summary>RFC 9162 section 2.1.3.2: whether <paramref name="leafHash"/> is leaf <paramref name="index"/> of the tree with <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(long index, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= treeSize || leafHash.Length != HashSize || path.Any(p => p.Length != HashSize))
        {
            return false;
        }
        var fn = index;
        var sn = treeSize - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>RFC 9162 section 2.1.4.2: whether the tree of size <paramref name="first"/> is a prefix of the one of size <paramref name="second"/>.</summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first < 0 || first > second || proof.Any(p => p.Length != HashSize))
        {
            return false;
        }
        if (first == second)
        {
            return proof.Count == 0 && CryptographicOperations.FixedTimeEquals(firstRoot, secondRoot);
        }
        if (first == 0)
        {
            return proof.Count == 0;
        }
        if (proof.Count == 0)
        {
            return false;
        }

        var path = new List<byte[]>(proof);
        if ((first & (first - 1)) == 0)
        {
            path.Insert(0, firstRoot.ToArray());
        }
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(fr, firstRoot) && CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }
}
