using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Security;
using IntelExchange.Contracts.V1;
using RabbitMQ.Client;

namespace IntelExchange.Api.Infrastructure.Messaging;

/// <summary>
/// Declares every agency's endpoint (fanout exchange, durable quorum queue, binding) as soon as the agency exists, so a
/// report shared before the agency's subscriber first connects waits in its queue instead of being dropped by an
/// unbound exchange.
/// </summary>
internal sealed class AgencyTopology(RabbitMqSettings settings, TenantDirectory directory, IConfiguration configuration, ILogger<AgencyTopology> logger)
    : BackgroundService
{
    private readonly HashSet<string> _declared = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queueType = configuration["Messaging:RabbitMq:QueueType"] ?? "quorum";
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var pending = directory.Current.Tenants.Values
                .Where(t => t.Roles.HasFlag(TenantRoles.Agency) && !_declared.Contains(t.Id)).Select(t => t.Id).ToList();
            if (pending.Count > 0)
            {
                try
                {
                    await DeclareAsync(pending, queueType, stoppingToken);
                    delay = TimeSpan.FromSeconds(1);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning("Could not declare agency endpoints yet ({Error}); retrying in {Delay}", exception.Message, delay);
                    delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
                }
            }
            await Task.Delay(delay, stoppingToken);
        }
    }

    private async Task DeclareAsync(List<string> agencies, string queueType, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            HostName = settings.Uri.Host,
            Port = settings.Uri.Port,
            VirtualHost = settings.Uri.AbsolutePath.Length > 1 ? Uri.UnescapeDataString(settings.Uri.AbsolutePath[1..]) : "/",
            UserName = settings.Username,
            Password = settings.Password,
            ClientProvidedName = "intelx-topology",
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        foreach (var agency in agencies)
        {
            var name = BusNames.AgencyEndpoint(agency);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = queueType }, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(name, name, routingKey: "", cancellationToken: cancellationToken);
            _declared.Add(agency);
            logger.LogInformation("Agency endpoint {Endpoint} declared ({QueueType} queue)", name, queueType);
        }
    }
}
