using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Security;
using IntelExchange.Api.Security.Signing;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// <c>Audit:CheckpointEveryEntries</c> (default 1000), <c>Audit:CheckpointEverySeconds</c> (default 300), and the
/// optional RFC 3161 authority <c>Audit:TimestampAuthorityUrl</c> with <c>Audit:TimestampTimeoutSeconds</c> (default 10),
/// and <c>Audit:SequenceEveryMilliseconds</c> (default 200) for <see cref="AuditSequencerJob"/>.
/// </summary>
internal sealed record AuditOptions(
    long CheckpointEveryEntries, TimeSpan CheckpointEvery, Uri? TimestampAuthority, TimeSpan TimestampTimeout, TimeSpan SequenceEvery)
{
    public static AuditOptions From(IConfiguration configuration)
    {
        var entries = configuration.GetValue("Audit:CheckpointEveryEntries", 1000L);
        var seconds = configuration.GetValue("Audit:CheckpointEverySeconds", 300.0);
        var timeout = configuration.GetValue("Audit:TimestampTimeoutSeconds", 10.0);
        var sequenceMilliseconds = configuration.GetValue("Audit:SequenceEveryMilliseconds", 200.0);
        if (entries < 1 || seconds <= 0 || timeout <= 0 || sequenceMilliseconds <= 0)
        {
            throw new InvalidOperationException(
                "Audit:CheckpointEveryEntries, Audit:CheckpointEverySeconds, Audit:TimestampTimeoutSeconds and Audit:SequenceEveryMilliseconds must be positive.");
        }
        var authority = configuration["Audit:TimestampAuthorityUrl"];
        if (!string.IsNullOrWhiteSpace(authority) && !(Uri.TryCreate(authority, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
        {
            throw new InvalidOperationException("Audit:TimestampAuthorityUrl must be an http(s) URL.");
        }
        return new AuditOptions(entries, TimeSpan.FromSeconds(seconds),
            string.IsNullOrWhiteSpace(authority) ? null : new Uri(authority), TimeSpan.FromSeconds(timeout),
            TimeSpan.FromMilliseconds(sequenceMilliseconds));
    }
}

/// <summary>Signs checkpoints of the ledger, stores them, and sends each to every agency through the outbox (witness copies).</summary>
internal sealed class AuditCheckpoints(
    AuditSequencer sequencer, AuditTree tree, ExchangeSigningKey key, CheckpointTimestamps timestamps, Outbox outbox, TenantDirectory directory, TimeProvider clock,
    ILogger<AuditCheckpoints> logger)
{
    public const string JwsType = "intelx-checkpoint+jws";

    public static Task<AuditCheckpointRecord?> LatestAsync(ExchangeDb db, CancellationToken cancellationToken) =>
        db.Set<AuditCheckpointRecord>().AsNoTracking().OrderByDescending(c => c.TreeSize).FirstOrDefaultAsync(cancellationToken);

    /// <summary>A checkpoint covering at least <paramref name="minimumSize"/> entries: the latest if it does, else a new one.</summary>
    public async Task<AuditCheckpointRecord?> CoveringAsync(ExchangeDb db, long minimumSize, CancellationToken cancellationToken)
    {
        var latest = await LatestAsync(db, cancellationToken);
        return latest is not null && latest.TreeSize >= minimumSize ? latest : await IssueAsync(db, cancellationToken);
    }

    /// <summary>
    /// Signs the ledger as it stands, with every entry committed before this call chained into it, unless the latest
    /// checkpoint already covers all of it. Null while the ledger is empty.
    /// </summary>
    public async Task<AuditCheckpointRecord?> IssueAsync(ExchangeDb db, CancellationToken cancellationToken)
    {
        await sequencer.CatchUpAsync(cancellationToken);
        var size = await tree.RefreshAsync(db, cancellationToken);
        var latest = await LatestAsync(db, cancellationToken);
        if (size == 0 || latest?.TreeSize >= size)
        {
            return latest;
        }

        var root = tree.Root(size);
        var issuedAt = clock.GetUtcNow();
        var payload = new AuditCheckpointPayload { TreeSize = size, RootHash = Convert.ToHexStringLower(root), IssuedAt = issuedAt };
        var jws = key.SignCompact(payload, JwsType);
        var checkpoint = new AuditCheckpointRecord
        {
            TreeSize = size, RootHash = root, IssuedAt = issuedAt, Jws = jws, TimestampToken = await timestamps.StampAsync(jws, cancellationToken),
        };
        db.Set<AuditCheckpointRecord>().Add(checkpoint);
        var witnesses = directory.Current.Tenants.Values.Where(t => t.Roles.HasFlag(TenantRoles.Agency) && !t.Suspended).Select(t => t.Id).ToList();
        foreach (var agency in witnesses)
        {
            outbox.Enqueue(db, agency, new AuditCheckpointIssued
            {
                Checkpoint = checkpoint.Jws, TreeSize = size, RootHash = payload.RootHash, IssuedAt = issuedAt, TimestampToken = checkpoint.TimestampToken,
            });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            // Another instance signed this same tree size first; theirs is as good as ours.
            db.ChangeTracker.Clear();
            return await db.Set<AuditCheckpointRecord>().AsNoTracking().SingleAsync(c => c.TreeSize == size, cancellationToken);
        }
        outbox.Committed();
        logger.LogInformation("Audit checkpoint at tree size {TreeSize} signed and sent to {Witnesses} agencies", size, witnesses.Count);
        return checkpoint;
    }
}

/// <summary>
/// Issues a checkpoint once <c>Audit:CheckpointEveryEntries</c> entries have been appended since the last one, or once
/// <c>Audit:CheckpointEverySeconds</c> have passed with any entry appended. Several instances may race for the same
/// tree size: the primary key keeps one.
/// </summary>
internal sealed class AuditCheckpointJob(
    IServiceScopeFactory scopes, AuditTree tree, AuditCheckpoints checkpoints, AuditOptions options, TimeProvider clock, ILogger<AuditCheckpointJob> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = clock.GetUtcNow();
        var poll = options.CheckpointEvery < TimeSpan.FromSeconds(1) ? options.CheckpointEvery : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(poll);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
                var size = await tree.RefreshAsync(db, stoppingToken);
                var latest = await AuditCheckpoints.LatestAsync(db, stoppingToken);
                var covered = latest?.TreeSize ?? 0;
                var since = latest?.IssuedAt ?? started;
                if (size - covered >= options.CheckpointEveryEntries || (size > covered && clock.GetUtcNow() - since >= options.CheckpointEvery))
                {
                    await checkpoints.IssueAsync(db, stoppingToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Audit checkpoint round failed");
            }
        }
    }
}
