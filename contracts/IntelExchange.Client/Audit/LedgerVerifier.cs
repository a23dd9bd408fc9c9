using System.Text.Json;
using IntelExchange.Contracts;

namespace IntelExchange.Client.Audit;

/// <summary>What checking a ledger export against a checkpoint found.</summary>
/// <param name="Entries">How many entries the export holds.</param>
/// <param name="CheckpointTreeSize">How many the checkpoint covers.</param>
/// <param name="Problems">Every failure found, first ones first; empty when the export verifies.</param>
public sealed record LedgerVerification(long Entries, long CheckpointTreeSize, IReadOnlyList<string> Problems)
{
    /// <summary>True when the hash chain holds and the first <see cref="CheckpointTreeSize"/> entries have the checkpoint's root.</summary>
    public bool Verified => Problems.Count == 0;
}

/// <summary>
/// Verifies a whole ledger export (JSON Lines: each line the exact bytes of one entry, in index order) against a
/// checkpoint. An edited entry breaks the chain and the root; a deleted, inserted or reordered one breaks the indexes,
/// the chain and the root; a truncated export holds fewer entries than the checkpoint covers.
/// </summary>
public static class LedgerVerifier
{
    /// <summary>The entries of an export file, each as its exact bytes.</summary>
    public static List<byte[]> ReadExport(Stream export)
    {
        using var memory = new MemoryStream();
        export.CopyTo(memory);
        var bytes = memory.ToArray();
        var entries = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                if (i > start)
                {
                    entries.Add(bytes[start..i]);
                }
                start = i + 1;
            }
        }
        return entries;
    }

    /// <summary>Checks every entry and the checkpoint's root; the checkpoint's signature is checked by the caller (<see cref="Checkpoints.Verify"/>).</summary>
    public static LedgerVerification Verify(IReadOnlyList<byte[]> entries, AuditCheckpointPayload checkpoint)
    {
        var problems = new List<string>();
        var leaves = new List<byte[]>(entries.Count);
        var previous = new string('0', 64);
        for (var position = 0; position < entries.Count; position++)
        {
            var leaf = MerkleTree.LeafHash(entries[position]);
            leaves.Add(leaf);
            LedgerEntry entry;
            try
            {
                entry = LedgerEntry.Parse(entries[position]);
            }
            catch (JsonException exception)
            {
                problems.Add($"line {position + 1}: not a ledger entry ({exception.Message})");
                previous = Convert.ToHexStringLower(leaf);
                continue;
            }
            if (entry.Index != position)
            {
                problems.Add($"line {position + 1}: holds entry {entry.Index} where entry {position} belongs (an entry was deleted, inserted or moved)");
            }
            if (!string.Equals(entry.PreviousHash, previous, StringComparison.Ordinal))
            {
                problems.Add($"entry {entry.Index}: previousHash does not match the entry before it (the chain is broken)");
            }
            previous = Convert.ToHexStringLower(leaf);
        }

        if (entries.Count < checkpoint.TreeSize)
        {
            problems.Add($"the export holds {entries.Count} entries but the checkpoint covers {checkpoint.TreeSize} (entries are missing at the end)");
        }
        else
        {
            var root = Convert.ToHexStringLower(MerkleTree.Root(leaves.Take((int)checkpoint.TreeSize).ToList()));
            if (root != checkpoint.RootHash)
            {
                problems.Add($"the first {checkpoint.TreeSize} entries hash to root {root}, not to the checkpoint's {checkpoint.RootHash} (the ledger was altered)");
            }
        }
        return new LedgerVerification(entries.Count, checkpoint.TreeSize, problems);
    }
}
