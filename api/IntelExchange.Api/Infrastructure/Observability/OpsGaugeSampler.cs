using System.Diagnostics.Metrics;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Security;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace IntelExchange.Api.Infrastructure.Observability;

/// <summary>The latest sampled values behind the gauges; written by the sampler, read at scrape time.</summary>
internal sealed class OpsGauges
{
    public double OutboxLagSeconds { get; set; }
    public long OutboxBacklog { get; set; }
    public long CallbacksPending { get; set; }
    public long CallbacksDead { get; set; }
    public IReadOnlyList<Measurement<long>> QueueDepths { get; set; } = [];
}

/// <summary>
/// Every <c>Observability:SampleIntervalSeconds</c> (default 15), reads the outbox and callback backlog from the
/// database (four indexed queries) and, on RabbitMQ, the depth of every agency queue and its <c>_error</c> queue (a
/// passive declare each). Every instance samples the same shared state: aggregate with max() across instances.
/// </summary>
internal sealed class OpsGaugeSampler(
    IServiceScopeFactory scopes,
    OpsGauges gauges,
    TenantDirectory directory,
    TimeProvider clock,
    IConfiguration configuration,
    ILogger<OpsGaugeSampler> logger,
    RabbitMqSettings? rabbit = null) : BackgroundService
{
    private IConnection? _connection;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Observability:SampleIntervalSeconds", 15)));
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await SampleDatabaseAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug("Sampling the outbox and callback backlog failed: {Error}", exception.GetType().Name);
            }
            if (rabbit is not null)
            {
                await SampleQueuesAsync(rabbit, stoppingToken);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SampleDatabaseAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        var unsent = db.OutboxMessages.AsNoTracking().Where(m => m.SentAt == null);
        var backlog = await unsent.LongCountAsync(cancellationToken);
        var oldest = backlog == 0 ? null
            : await unsent.OrderBy(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        var pending = await db.CallbackDeliveries.AsNoTracking().LongCountAsync(d => d.Status == CallbackDeliveryStatus.Pending, cancellationToken);
        var dead = await db.CallbackDeliveries.AsNoTracking().LongCountAsync(d => d.Status == CallbackDeliveryStatus.Dead, cancellationToken);

        gauges.OutboxBacklog = backlog;
        gauges.OutboxLagSeconds = oldest is { } createdAt ? Math.Max(0, (clock.GetUtcNow() - createdAt).TotalSeconds) : 0;
        gauges.CallbacksPending = pending;
        gauges.CallbacksDead = dead;
    }

    private async Task SampleQueuesAsync(RabbitMqSettings settings, CancellationToken cancellationToken)
    {
        var queues = directory.Current.Tenants.Values
            .Where(t => t.Roles.HasFlag(TenantRoles.Agency))
            .SelectMany(t => new[] { BusNames.AgencyEndpoint(t.Id), BusNames.AgencyEndpoint(t.Id) + "_error" })
            .Order(StringComparer.Ordinal)
            .ToList();
        var depths = new List<Measurement<long>>(queues.Count);
        try
        {
            _connection ??= await OpenAsync(settings, cancellationToken);
            foreach (var queue in queues)
            {
                // A passive declare of a missing queue closes the channel, so each queue gets a channel of its own.
                await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
                try
                {
                    var declared = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                    depths.Add(new Measurement<long>(declared.MessageCount, new KeyValuePair<string, object?>("queue", queue)));
                }
                catch (OperationInterruptedException)
                {
                    // Not declared yet (an _error queue appears with the first failed message).
                }
            }
            gauges.QueueDepths = depths;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug("Sampling queue depths failed: {Error}", exception.GetType().Name);
            gauges.QueueDepths = [];
            if (_connection is { } broken)
            {
                _connection = null;
                await broken.DisposeAsync();
            }
        }
    }

    private static Task<IConnection> OpenAsync(RabbitMqSettings settings, CancellationToken cancellationToken) =>
        new ConnectionFactory
        {
            HostName = settings.Uri.Host,
            Port = settings.Uri.Port,
            VirtualHost = settings.Uri.AbsolutePath.Length > 1 ? Uri.UnescapeDataString(settings.Uri.AbsolutePath[1..]) : "/",
            UserName = settings.Username,
            Password = settings.Password,
            ClientProvidedName = "intelx-metrics",
            AutomaticRecoveryEnabled = false,
        }.CreateConnectionAsync(cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync();
        }
    }
}
