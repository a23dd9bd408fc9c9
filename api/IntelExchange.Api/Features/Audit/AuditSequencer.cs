using IntelExchange.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// Chains committed pending entries into the ledger: under the head's row lock it reads the oldest pending entries,
/// gives each the next index and the previous entry's hash, writes them and deletes the pending rows, all in one
/// transaction, so every entry is chained exactly once whichever instance gets there first. Runs in the background a
/// few times a second, and at once before any read of the ledger (<see cref="CatchUpAsync"/>), so a reader always sees
/// every entry committed before its read began.
/// </summary>
internal sealed class AuditSequencer(IServiceScopeFactory scopes, ILogger<AuditSequencer> logger)
{
    private const int Batch = 1000;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Chains every pending entry committed so far; returns how many this call chained.</summary>
    public async Task<int> CatchUpAsync(CancellationToken cancellationToken)
    {
        // Nothing pending visible means every earlier commit is chained (a batch's entries and deletions commit
        // together), so the common read pays one query and never queues behind another reader or the job.
        if (!await AnyPendingAsync(cancellationToken))
        {
            return 0;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var chained = 0;
            while (true)
            {
                await using var scope = scopes.CreateSystemScope();
                var count = await ChainBatchAsync(scope.ServiceProvider.GetRequiredService<ExchangeDb>(), cancellationToken);
                chained += count;
                if (count < Batch)
                {
                    return chained;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> AnyPendingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateSystemScope();
        return await scope.ServiceProvider.GetRequiredService<ExchangeDb>().Set<AuditPendingEntry>().AnyAsync(cancellationToken);
    }

    private async Task<int> ChainBatchAsync(ExchangeDb db, CancellationToken cancellationToken)
    {
        db.Database.AutoSavepointsEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var heads = db.Set<AuditLedgerHead>();
        var head = db.IsPostgres
            ? await heads.FromSql($"""SELECT * FROM "AuditLedgerHeads" WHERE "Id" = {AuditLedgerHead.SingletonId} FOR UPDATE""").SingleAsync(cancellationToken)
            : await heads.SingleAsync(h => h.Id == AuditLedgerHead.SingletonId, cancellationToken);
        // Read after the lock: a batch another instance chained meanwhile is gone from here by now.
        var pending = await db.Set<AuditPendingEntry>().OrderBy(p => p.Id).Take(Batch).ToListAsync(cancellationToken);
        foreach (var entry in pending)
        {
            var bytes = AuditLedger.EntryBytes(head.Size, entry, head.LastHash);
            var hash = Contracts.MerkleTree.LeafHash(bytes);
            db.Set<AuditEntryRecord>().Add(new AuditEntryRecord
            {
                Index = head.Size,
                Kind = entry.Kind,
                Actor = entry.Actor,
                SubjectType = entry.SubjectType,
                SubjectId = entry.SubjectId,
                Parties = entry.Parties,
                OccurredAt = entry.OccurredAt,
                Entry = bytes,
                EntryHash = hash,
            });
            head.Size++;
            head.LastHash = hash;
        }
        db.Set<AuditPendingEntry>().RemoveRange(pending);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (pending.Count > 0)
        {
            logger.LogDebug("Chained {Count} audit entries; the ledger holds {Size}", pending.Count, head.Size);
        }
        return pending.Count;
    }
}

/// <summary>Runs <see cref="AuditSequencer"/> every <c>Audit:SequenceEveryMilliseconds</c> (default 200).</summary>
internal sealed class AuditSequencerJob(AuditSequencer sequencer, AuditOptions options, ILogger<AuditSequencerJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SequenceEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await sequencer.CatchUpAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Until a batch chains, reads of the ledger fail too (they catch up first): an error, not a warning.
                logger.LogError(exception, "Audit sequencing round failed; the pending entries wait for the next");
            }
        }
    }
}
