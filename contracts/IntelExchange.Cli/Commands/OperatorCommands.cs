using System.CommandLine;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Client.Agency;
using IntelExchange.Contracts.V1;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx operator …</c>: the exchange operator's tasks. Tenant, certificate and agreement commands join when those endpoints exist.</summary>
internal static class OperatorCommands
{
    public static Command Create()
    {
        var operatorCommand = new Command("operator", "Operate the exchange.");
        operatorCommand.Subcommands.Add(RedriveErrors());
        return operatorCommand;
    }

    private static Command RedriveErrors()
    {
        var agency = new Option<string>("--agency") { Description = "The agency whose _error queue to re-drive.", Required = true };
        var broker = new Option<string>("--broker") { Description = "amqp://user:pass@host:port/vhost", Required = true };
        var max = new Option<int?>("--max") { Description = "Move at most this many messages." };
        var command = new Command("redrive-errors", "Move an agency's failed messages from its _error queue back to its queue, once the cause is fixed.")
        {
            agency, broker, max,
        };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var agencyId = context.Parse.GetValue(agency)!;
            if (!Uri.TryCreate(context.Parse.GetValue(broker), UriKind.Absolute, out var brokerUri) || brokerUri.Scheme is not ("amqp" or "amqps"))
            {
                throw new UsageException("--broker must be an amqp:// or amqps:// URI, e.g. amqp://user:pass@127.0.0.1:5672/vhost.");
            }
            if (context.Parse.GetValue(max) is < 1)
            {
                throw new UsageException("--max must be at least 1.");
            }

            int moved;
            try
            {
                var factory = new ConnectionFactory { Uri = brokerUri, ClientProvidedName = "intelx-cli" };
                moved = await ErrorQueueRedriver.RedriveAsync(factory, agencyId, context.Parse.GetValue(max) ?? int.MaxValue, cancellationToken);
            }
            catch (BrokerUnreachableException exception)
            {
                context.Out.Error($"error: cannot reach the broker at {brokerUri.Host}:{brokerUri.Port}: {CliCommand.Describe(exception)}");
                return ExitCodes.Unreachable;
            }
            catch (OperationInterruptedException exception)
            {
                context.Out.Error($"error: the broker refused: {exception.ShutdownReason?.ReplyText ?? exception.Message}");
                return ExitCodes.Failed;
            }

            if (context.Out.Json)
            {
                context.Out.Document(new { Agency = agencyId, Moved = moved, From = BusNames.ErrorQueue(agencyId), To = BusNames.AgencyEndpoint(agencyId) });
            }
            else
            {
                context.Out.Line($"Moved {moved} message(s) from {BusNames.ErrorQueue(agencyId)} back to {BusNames.AgencyEndpoint(agencyId)}.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
