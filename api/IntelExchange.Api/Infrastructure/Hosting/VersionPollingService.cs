namespace IntelExchange.Api.Infrastructure.Hosting;

/// <summary>
/// Keeps an in-memory snapshot current across instances: every change bumps a version row in its own transaction, and
/// each instance polls that row every 250 ms (<see cref="RefreshAsync"/> reloads only when it moved), so a change made
/// on any instance is in force everywhere within a second. A failed poll keeps the snapshot it has.
/// </summary>
internal abstract class VersionPollingService(ILogger logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly Lock _initialLoadLock = new();
    private Task? _initialLoad;

    /// <summary>What the snapshot is, for the log.</summary>
    protected abstract string SnapshotName { get; }

    /// <summary>The version of the snapshot in force.</summary>
    protected abstract long CurrentVersion { get; }

    /// <summary>Reloads the snapshot if its version row moved.</summary>
    public abstract Task RefreshAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts the first load without waiting for it (once the schema is ready), so that it runs beside the hosted
    /// services that start before this one; <see cref="StartAsync"/> then waits for that same load. A restart spends
    /// most of its time in such first loads (query compilation), and the machine has a second core.
    /// </summary>
    public Task BeginInitialLoad(CancellationToken cancellationToken)
    {
        lock (_initialLoadLock)
        {
            return _initialLoad ??= Task.Run(() => LoadInitialAsync(cancellationToken), cancellationToken);
        }
    }

    /// <summary>The first load: <see cref="RefreshAsync"/>, after anything a snapshot reads once.</summary>
    protected virtual Task LoadInitialAsync(CancellationToken cancellationToken) => RefreshAsync(cancellationToken);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await BeginInitialLoad(cancellationToken);
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
