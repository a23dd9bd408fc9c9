using IntelExchange.Api.Infrastructure.Hosting;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>
/// Keeps the protected lists in memory: the shipped data files, read once, and the operator's additions, reloaded when
/// <see cref="ProtectedListState.Version"/> moves. Every change bumps that row in the same transaction and each instance
/// polls it every 250 ms, so an addition made on any instance flags targets everywhere within a second.
/// </summary>
internal sealed class ProtectedLists(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<ProtectedLists> logger)
    : VersionPollingService(logger)
{
    public const string OperatorList = "operator";
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private IReadOnlyList<ShippedList> _shipped = [];
    private volatile ProtectedInfrastructure _current = ProtectedInfrastructure.Empty;

    public ProtectedInfrastructure Current => _current;

    public IReadOnlyList<ShippedList> Shipped => _shipped;

    protected override string SnapshotName => "Protected lists";

    protected override long CurrentVersion => _current.Version;

    public override async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
            var version = await db.ProtectedListStates.AsNoTracking().Where(s => s.Id == 1).Select(s => s.Version).SingleAsync(cancellationToken);
            if (version == _current.Version)
            {
                return;
            }
            var additions = await db.ProtectedEntries.AsNoTracking().ToListAsync(cancellationToken);
            var rules = _shipped.SelectMany(list => list.Rules)
                .Concat(additions.Select(a => new ProtectedRule(a.Kind, a.Value, $"{a.Reason} (added by {a.AddedBy})", OperatorList)));
            _current = new ProtectedInfrastructure(version, rules);
            logger.LogInformation("Protected lists at version {Version}: {Domains} domain suffixes, {Ranges} ranges ({Additions} operator additions)",
                version, _current.DomainCount, _current.RangeCount, additions.Count);
        }
        finally
        {
            _refresh.Release();
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _shipped = ShippedLists.Load(configuration["Safeguards:ListsPath"] ?? ShippedLists.DefaultFolder);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _refresh.Dispose();
        base.Dispose();
    }

    public static ProtectedEntry ToView(ProtectedEntryRecord record) => new()
    {
        Id = record.Id,
        Kind = record.Kind,
        Value = record.Value,
        Reason = record.Reason,
        AddedBy = record.AddedBy,
        AddedAt = record.AddedAt,
    };
}
