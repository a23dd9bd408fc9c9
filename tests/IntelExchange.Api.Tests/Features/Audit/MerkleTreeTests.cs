using System.Security.Cryptography;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Audit;

/// <summary>
/// RFC 9162 hashing and proofs against the Certificate Transparency test vectors (RFC 6962 reference leaves, as
/// published in transparency-dev/merkle), and against a reference written independently below: it builds every node of
/// the tree bottom-up, level by level, and reads proofs off that table rather than recursing.
/// </summary>
public sealed class MerkleTreeTests
{
    private static readonly byte[][] ReferenceLeaves =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        Convert.FromHexString("606162636465666768696a6b6c6d6e6f"),
    ];

    private static readonly string[] ReferenceRoots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static List<byte[]> Leaves(IEnumerable<byte[]> entries) => entries.Select(e => MerkleTree.LeafHash(e)).ToList();

    [Fact]
    public void The_root_of_every_prefix_of_the_reference_leaves_is_the_published_one()
    {
        for (var size = 0; size <= ReferenceLeaves.Length; size++)
        {
            var root = MerkleTree.Root(Leaves(ReferenceLeaves.Take(size)));
            Assert.Equal(ReferenceRoots[size], Convert.ToHexStringLower(root));
        }
    }

    [Fact]
    public void Leaf_and_node_hashes_are_domain_separated()
    {
        Assert.Equal(SHA256.HashData([0x00, 0xab]), MerkleTree.LeafHash([0xab]));
        var left = new byte[32];
        var right = Enumerable.Repeat((byte)1, 32).ToArray();
        Assert.Equal(SHA256.HashData([0x01, .. left, .. right]), MerkleTree.NodeHash(left, right));
        // The same 64 bytes as a leaf hash differently from the node over them: no second preimage across levels.
        Assert.NotEqual(MerkleTree.LeafHash([.. left, .. right]), MerkleTree.NodeHash(left, right));
    }

    [Theory]
    [InlineData(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(0, 1, "")]
    public void Inclusion_proofs_match_the_published_vectors_and_verify(long index, long size, string expected)
    {
        var leaves = Leaves(ReferenceLeaves.Take((int)size));
        var proof = MerkleTree.InclusionProof(index, size, MerkleTree.SubtreeOf(leaves));

        Assert.Equal(expected, string.Join(',', proof.Select(Convert.ToHexStringLower)));
        Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[(int)index], proof, Convert.FromHexString(ReferenceRoots[size])));
    }

    [Theory]
    [InlineData(1, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7,5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a,ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0,d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e,bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    [InlineData(8, 8, "")]
    public void Consistency_proofs_match_the_published_vectors_and_verify(long first, long second, string expected)
    {
        var leaves = Leaves(ReferenceLeaves.Take((int)second));
        var proof = MerkleTree.ConsistencyProof(first, second, MerkleTree.SubtreeOf(leaves));

        Assert.Equal(expected, string.Join(',', proof.Select(Convert.ToHexStringLower)));
        Assert.True(MerkleTree.VerifyConsistency(first, second,
            Convert.FromHexString(ReferenceRoots[first]), Convert.FromHexString(ReferenceRoots[second]), proof));
    }

    [Fact]
    public void Every_proof_in_trees_of_1_to_40_leaves_equals_the_reference_and_verifies()
    {
        var leaves = Leaves(Enumerable.Range(0, 40).Select(i => new[] { (byte)i, (byte)(i * 7) }));
        for (var size = 1; size <= leaves.Count; size++)
        {
            var tree = leaves.Take(size).ToList();
            var reference = new ReferenceTree(tree);
            var root = MerkleTree.Root(tree);
            Assert.Equal(reference.Root, root);
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleTree.InclusionProof(index, size, MerkleTree.SubtreeOf(tree));
                Assert.Equal(reference.InclusionProof(index), proof);
                Assert.True(MerkleTree.VerifyInclusion(index, size, tree[index], proof, root), $"leaf {index} of {size}");
            }
            for (var first = 1; first <= size; first++)
            {
                var older = MerkleTree.Root(leaves.Take(first).ToList());
                var proof = MerkleTree.ConsistencyProof(first, size, MerkleTree.SubtreeOf(tree));
                Assert.True(MerkleTree.VerifyConsistency(first, size, older, root, proof), $"{first} -> {size}");
            }
        }
    }

    [Fact]
    public void An_altered_inclusion_proof_does_not_verify()
    {
        var leaves = Leaves(Enumerable.Range(0, 13).Select(i => new[] { (byte)i }));
        var root = MerkleTree.Root(leaves);
        var proof = MerkleTree.InclusionProof(6, 13, MerkleTree.SubtreeOf(leaves));
        var flipped = proof.Select(p => p.ToArray()).ToList();
        flipped[1][0] ^= 1;

        Assert.True(MerkleTree.VerifyInclusion(6, 13, leaves[6], proof, root));
        Assert.False(MerkleTree.VerifyInclusion(6, 13, leaves[7], proof, root), "another leaf");
        Assert.False(MerkleTree.VerifyInclusion(7, 13, leaves[6], proof, root), "another index");
        // The size is bound by the signed checkpoint; a proof only fails for a size whose tree has another shape here.
        Assert.False(MerkleTree.VerifyInclusion(6, 7, leaves[6], proof, root), "another size");
        Assert.False(MerkleTree.VerifyInclusion(6, 13, leaves[6], flipped, root), "a flipped bit");
        Assert.False(MerkleTree.VerifyInclusion(6, 13, leaves[6], proof[..^1], root), "a hash left out");
        Assert.False(MerkleTree.VerifyInclusion(6, 13, leaves[6], [.. proof, proof[0]], root), "a hash added");
        Assert.False(MerkleTree.VerifyInclusion(13, 13, leaves[6], proof, root), "an index past the end");
    }

    [Fact]
    public void A_rewritten_history_is_not_consistent_with_the_checkpoint_of_the_original()
    {
        var original = Leaves(Enumerable.Range(0, 20).Select(i => new[] { (byte)i }));
        var rewritten = original.ToList();
        rewritten[3] = MerkleTree.LeafHash([0xff]);
        var oldRoot = MerkleTree.Root(original.Take(10).ToList());

        var honest = MerkleTree.ConsistencyProof(10, 20, MerkleTree.SubtreeOf(original));
        var forged = MerkleTree.ConsistencyProof(10, 20, MerkleTree.SubtreeOf(rewritten));

        Assert.True(MerkleTree.VerifyConsistency(10, 20, oldRoot, MerkleTree.Root(original), honest));
        Assert.False(MerkleTree.VerifyConsistency(10, 20, oldRoot, MerkleTree.Root(rewritten), forged));
        Assert.False(MerkleTree.VerifyConsistency(10, 20, oldRoot, MerkleTree.Root(rewritten), honest));
        Assert.False(MerkleTree.VerifyConsistency(10, 20, oldRoot, MerkleTree.Root(original), []));
    }

    /// <summary>Every node, level by level from the leaves; an odd node at the end of a level is carried up unchanged.</summary>
    private sealed class ReferenceTree
    {
        private readonly List<List<byte[]>> _levels = [];

        public ReferenceTree(List<byte[]> leaves)
        {
            _levels.Add(leaves);
            while (_levels[^1].Count > 1)
            {
                var below = _levels[^1];
                var level = new List<byte[]>();
                for (var i = 0; i + 1 < below.Count; i += 2)
                {
                    level.Add(SHA256.HashData([0x01, .. below[i], .. below[i + 1]]));
                }
                if (below.Count % 2 == 1)
                {
                    level.Add(below[^1]);
                }
                _levels.Add(level);
            }
        }

        public byte[] Root => _levels[^1][0];

        /// <summary>The sibling at each level, skipping levels where the node was carried up without one.</summary>
        public List<byte[]> InclusionProof(int index)
        {
            var proof = new List<byte[]>();
            for (var level = 0; level < _levels.Count - 1; level++)
            {
                var sibling = index ^ 1;
                if (sibling < _levels[level].Count)
                {
                    proof.Add(_levels[level][sibling]);
                }
                index /= 2;
            }
            return proof;
        }
    }
}
