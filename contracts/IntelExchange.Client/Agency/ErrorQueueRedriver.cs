using IntelExchange.Contracts.V1;
using RabbitMQ.Client;

namespace IntelExchange.Client.Agency;

/// <summary>
/// Moves messages from an agency's <c>_error</c> queue back to its queue once the cause is fixed. Each message is
/// published with its original properties (MessageId included, so the inbox still drops anything already handled)
/// and acknowledged on the error queue only after the broker confirmed the republish.
/// </summary>
public static class ErrorQueueRedriver
{
    /// <summary>Re-drives up to <paramref name="maxMessages"/> messages; returns how many moved.</summary>
    public static async Task<int> RedriveAsync(ConnectionFactory factory, string agencyId, int maxMessages = int.MaxValue, CancellationToken cancellationToken = default)
    {
        await using var connection = await factory.CreateConnectionAsync("intelx-redrive", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var moved = 0;
        while (moved < maxMessages)
        {
            var result = await channel.BasicGetAsync(BusNames.ErrorQueue(agencyId), autoAck: false, cancellationToken);
            if (result is null)
            {
                break;
            }
            var properties = new BasicProperties(result.BasicProperties);
            properties.Headers?.Remove("MT-Fault-Message");
            await channel.BasicPublishAsync(BusNames.AgencyEndpoint(agencyId), routingKey: "", mandatory: true, properties, result.Body, cancellationToken);
            await channel.BasicAckAsync(result.DeliveryTag, multiple: false, cancellationToken);
            moved++;
        }
        return moved;
    }
}
