using System.CommandLine;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Contracts;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx webhook set|show|deliveries|redeliver</c>: the submitter's signed case-status callbacks.</summary>
internal static class WebhookCommands
{
    public static Command Create()
    {
        var webhook = new Command("webhook", "Your callback endpoint for case changes (Standard Webhooks, HMAC-signed).");
        webhook.Subcommands.Add(Set());
        webhook.Subcommands.Add(Show());
        webhook.Subcommands.Add(Deliveries());
        webhook.Subcommands.Add(Redeliver());
        return webhook;
    }

    private static Command Set()
    {
        var url = new Argument<Uri>("URL")
        {
            Description = "Where the exchange POSTs case changes (https, a public address).",
            CustomParser = result =>
            {
                if (Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var parsed))
                {
                    return parsed;
                }
                result.AddError("URL must be an absolute URL, e.g. https://hooks.example.org/intelx");
                return null;
            },
        };
        var command = new Command("set", "Register or change your webhook; prints the new signing secret once (store it now).") { url };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var registered = await context.Client().RegisterWebhookAsync(context.Parse.GetValue(url)!, cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(registered);
                return ExitCodes.Ok;
            }
            context.Out.Line($"Webhook {registered.Url}");
            context.Out.Line($"  secret  {registered.Secret}");
            context.Out.Line("  This secret is shown only now. Verify each callback's webhook-signature with it (Standard Webhooks).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", "Show your registered webhook (never its secret).");
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var details = await context.Client().GetWebhookAsync(cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(details);
                return ExitCodes.Ok;
            }
            context.Out.Line($"Webhook {details.Url}");
            context.Out.Line($"  registered {details.CreatedAt:u}, changed {details.UpdatedAt:u}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Deliveries()
    {
        var status = new Option<string>("--status") { Description = "Only deliveries in this state." };
        status.AcceptOnlyFromAmong("pending", "delivered", "dead");
        var limit = new Option<int?>("--limit") { Description = "Page size, 1 to 500 (default 50)." };
        var after = new Option<string>("--after") { Description = "Cursor from a previous page's 'next'." };
        var command = new Command("deliveries", "List callback deliveries and where each stands, oldest first.") { status, limit, after };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var wanted = context.Parse.GetValue(status) is { } text ? Wire.Parse<CallbackDeliveryStatus>(text) : (CallbackDeliveryStatus?)null;
            var page = await context.Client().ListCallbackDeliveriesAsync(wanted, context.Parse.GetValue(after), context.Parse.GetValue(limit), cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(page);
                return ExitCodes.Ok;
            }
            foreach (var delivery in page.Items)
            {
                context.Out.Line(Describe(delivery));
            }
            context.Out.Line(page.Next is null
                ? $"({page.Items.Count} deliveries, last page)"
                : $"({page.Items.Count} deliveries) next: intelx webhook deliveries --after {page.Next}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Redeliver()
    {
        var id = new Argument<Guid>("DELIVERY_ID") { Description = "The delivery id (from 'intelx webhook deliveries')." };
        var command = new Command("redeliver", "Send a delivery again, now (for example one that is dead).") { id };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var delivery = await context.Client().RedeliverCallbackAsync(context.Parse.GetValue(id), cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(delivery);
                return ExitCodes.Ok;
            }
            context.Out.Line("Scheduled: " + Describe(delivery));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(CallbackDeliveryItem delivery)
    {
        var last = delivery.LastStatusCode is { } code ? $"last HTTP {code}" : delivery.LastError ?? "not tried yet";
        var when = delivery.DeliveredAt is { } at ? $"delivered {at:u}" : delivery.NextAttemptAt is { } next ? $"next {next:u}" : "";
        return $"{delivery.Id}  case {delivery.CaseId} #{delivery.Sequence}  {Wire.Name(delivery.Status),-9}  {delivery.Attempts} attempt(s), {last}  {when}".TrimEnd();
    }
}
