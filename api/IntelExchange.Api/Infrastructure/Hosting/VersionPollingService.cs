namespace IntelExchange.Api.Infrastructure.Hosting;

/// <summary>
/// Keeps an in-memory snapshot current across instances: every change bumps a version row in its own transaction, and
/// each instance polls that row every 250 ms (<see cref="RefreshAsync"/> reloads only when it moved), so a change made
/// on any instance is in force everywhere within a second. A failed poll keeps the snapshot it has.
/// </summary>
internal abstract class VersionPollingService(ILogger logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>What the snapshot is, for the log.</summary>
    protected abstract string SnapshotName { get; }

    /// <summary>The version of the snapshot in force.</summary>
    protected abstract long CurrentVersion { get; }

    /// <summary>Reloads the snapshot if its version row moved.</summary>
    public abstract Task RefreshAsync(CancellationToken cancellationToken);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "{Snapshot} refresh failed; keeping version {Version}", SnapshotName, CurrentVersion);
            }
        }
    }
}
