using System.CommandLine;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Client.Agency;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace IntelExchange.Cli.Commands;

/// <summary>
/// <c>intelx operator …</c>: the exchange operator's tasks (role operator): tenants, their client certificates and
/// signing keys, sharing agreements, suspension, expiring credentials, the action record, and re-driving _error queues.
/// </summary>
internal static class OperatorCommands
{
    public static Command Create()
    {
        var operatorCommand = new Command("operator", "Operate the exchange (needs a tenant with the operator role, e.g. --tenant operator).");
        operatorCommand.Subcommands.Add(Tenants());
        operatorCommand.Subcommands.Add(Certificates());
        operatorCommand.Subcommands.Add(SigningKeys());
        operatorCommand.Subcommands.Add(Agreements());
        operatorCommand.Subcommands.Add(Suspension("suspend", suspended: true));
        operatorCommand.Subcommands.Add(Suspension("reactivate", suspended: false));
        operatorCommand.Subcommands.Add(Credentials());
        operatorCommand.Subcommands.Add(Actions());
        operatorCommand.Subcommands.Add(RedriveErrors());
        return operatorCommand;
    }

    private static Command Tenants()
    {
        var tenants = new Command("tenants", "Create, list and show tenants.");

        var id = new Argument<string>("ID") { Description = "The tenant id (lower case letters, digits, dashes), e.g. es-cultura." };
        var name = new Option<string>("--name") { Description = "The organisation's name.", Required = true };
        var roles = new Option<string[]>("--role") { Description = "reporter, agency or operator (repeat for several).", Required = true, AllowMultipleArgumentsPerToken = true };
        roles.AcceptOnlyFromAmong("reporter", "agency", "operator");
        var create = new Command("create", "Create a tenant with its roles.") { id, name, roles };
        create.SetCliAction(async (context, cancellationToken) =>
        {
            var tenant = await context.Client().CreateTenantAsync(context.Parse.GetValue(id)!, context.Parse.GetValue(name)!, context.Parse.GetValue(roles)!, cancellationToken);
            Show(context.Out, tenant, t => $"Tenant {Describe(t)}");
            return ExitCodes.Ok;
        });

        var (after, limit) = PageOptions();
        var list = new Command("list", "List tenants.") { after, limit };
        list.SetCliAction(async (context, cancellationToken) =>
        {
            var page = await context.Client().ListTenantsAsync(context.Parse.GetValue(after), context.Parse.GetValue(limit), cancellationToken);
            ShowPage(context.Out, page, Describe, "intelx operator tenants list");
            return ExitCodes.Ok;
        });

        var showId = new Argument<string>("ID") { Description = "The tenant id." };
        var show = new Command("show", "Show a tenant with its certificates, signing keys and agreements.") { showId };
        show.SetCliAction(async (context, cancellationToken) =>
        {
            var details = await context.Client().GetTenantAsync(context.Parse.GetValue(showId)!, cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(details);
                return ExitCodes.Ok;
            }
            context.Out.Line($"Tenant {Describe(details.Tenant)}");
            details.Certificates.ToList().ForEach(c => context.Out.Line("  certificate " + Describe(c)));
            details.SigningKeys.ToList().ForEach(k => context.Out.Line("  signing key " + Describe(k)));
            details.Agreements.ToList().ForEach(a => context.Out.Line("  agreement   " + Describe(a)));
            return ExitCodes.Ok;
        });

        tenants.Subcommands.Add(create);
        tenants.Subcommands.Add(list);
        tenants.Subcommands.Add(show);
        return tenants;
    }

    private static Command Certificates()
    {
        var certificates = new Command("certificates", "Pin and revoke a tenant's client certificates (several may be active, for rotation).");

        var tenant = new Argument<string>("TENANT") { Description = "The tenant id." };
        var file = new Argument<FileInfo>("CERT_PEM") { Description = "The client certificate (PEM), issued by a partner CA." };
        var add = new Command("add", "Register a client certificate; prints its SHA-256 thumbprint.") { tenant, file };
        add.SetCliAction(async (context, cancellationToken) =>
        {
            var pem = await ReadPemAsync(context.Parse.GetValue(file)!, cancellationToken);
            var credential = await context.Client().RegisterCertificateAsync(context.Parse.GetValue(tenant)!, pem, cancellationToken);
            Show(context.Out, credential, c => "Registered certificate " + Describe(c));
            return ExitCodes.Ok;
        });

        var revokeTenant = new Argument<string>("TENANT") { Description = "The tenant id." };
        var thumbprint = new Argument<string>("THUMBPRINT") { Description = "SHA-256 of the certificate's DER, hex." };
        var revoke = new Command("revoke", "Revoke a client certificate at once.") { revokeTenant, thumbprint };
        revoke.SetCliAction(async (context, cancellationToken) =>
        {
            var credential = await context.Client().RevokeCertificateAsync(context.Parse.GetValue(revokeTenant)!, context.Parse.GetValue(thumbprint)!, cancellationToken);
            Show(context.Out, credential, c => "Revoked certificate " + Describe(c));
            return ExitCodes.Ok;
        });

        certificates.Subcommands.Add(add);
        certificates.Subcommands.Add(revoke);
        return certificates;
    }

    private static Command SigningKeys()
    {
        var keys = new Command("signing-keys", "Register, list and retire a tenant's report signing keys (EC P-256).");

        var tenant = new Argument<string>("TENANT") { Description = "The tenant id." };
        var file = new Argument<FileInfo>("PUBLIC_KEY_PEM") { Description = "The EC P-256 public key (PEM)." };
        var add = new Command("add", "Register a signing key; prints its kid.") { tenant, file };
        add.SetCliAction(async (context, cancellationToken) =>
        {
            var pem = await ReadPemAsync(context.Parse.GetValue(file)!, cancellationToken);
            var key = await context.Client().RegisterSigningKeyAsync(context.Parse.GetValue(tenant)!, pem, cancellationToken);
            Show(context.Out, key, k => "Registered signing key " + Describe(k));
            return ExitCodes.Ok;
        });

        var listTenant = new Argument<string>("TENANT") { Description = "The tenant id." };
        var list = new Command("list", "List a tenant's signing keys, retired ones included, oldest first.") { listTenant };
        list.SetCliAction(async (context, cancellationToken) =>
        {
            var page = await context.Client().ListSigningKeysAsync(context.Parse.GetValue(listTenant)!, cancellationToken);
            ShowPage(context.Out, page, Describe, "intelx operator signing-keys list");
            return ExitCodes.Ok;
        });

        var retireTenant = new Argument<string>("TENANT") { Description = "The tenant id." };
        var kid = new Argument<string>("KID") { Description = "The key id." };
        var retire = new Command("retire", "Retire a signing key: reports signed with it are refused from now on.") { retireTenant, kid };
        retire.SetCliAction(async (context, cancellationToken) =>
        {
            var key = await context.Client().RetireSigningKeyAsync(context.Parse.GetValue(retireTenant)!, context.Parse.GetValue(kid)!, cancellationToken);
            Show(context.Out, key, k => "Retired signing key " + Describe(k));
            return ExitCodes.Ok;
        });

        keys.Subcommands.Add(add);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(retire);
        return keys;
    }

    private static Command Agreements()
    {
        var agreements = new Command("agreements", "Sharing agreements: which reporter may share with which agency.");

        var reporter = new Argument<string>("REPORTER") { Description = "The reporter's tenant id." };
        var agency = new Argument<string>("AGENCY") { Description = "The agency's tenant id." };
        var isDefault = new Option<bool>("--default") { Description = "Share with this agency when a report names no recipients." };
        var set = new Command("set", "Record (or change) an agreement.") { reporter, agency, isDefault };
        set.SetCliAction(async (context, cancellationToken) =>
        {
            var agreement = await context.Client().PutAgreementAsync(context.Parse.GetValue(reporter)!, context.Parse.GetValue(agency)!,
                context.Parse.GetValue(isDefault), cancellationToken);
            Show(context.Out, agreement, a => "Agreement " + Describe(a));
            return ExitCodes.Ok;
        });

        var list = new Command("list", "List every agreement, by reporter then agency.");
        list.SetCliAction(async (context, cancellationToken) =>
        {
            var page = await context.Client().ListAgreementsAsync(cancellationToken);
            ShowPage(context.Out, page, Describe, "intelx operator agreements list");
            return ExitCodes.Ok;
        });

        agreements.Subcommands.Add(set);
        agreements.Subcommands.Add(list);
        return agreements;
    }

    private static Command Suspension(string name, bool suspended)
    {
        var tenant = new Argument<string>("TENANT") { Description = "The tenant id." };
        var command = new Command(name, suspended
            ? "Suspend a tenant: its calls are refused and it receives nothing, at once, until reactivated."
            : "Reactivate a suspended tenant.") { tenant };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var changed = await context.Client().SetTenantSuspendedAsync(context.Parse.GetValue(tenant)!, suspended, cancellationToken);
            Show(context.Out, changed, t => $"Tenant {Describe(t)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Credentials()
    {
        var within = new Option<string>("--expiring-within") { Description = "Only certificates that expire within this window, e.g. 30d, 12h." };
        var (after, limit) = PageOptions();
        var command = new Command("credentials", "Client certificates in force, soonest to expire first.") { within, after, limit };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var page = await context.Client().ListCredentialsAsync(context.Parse.GetValue(within), context.Parse.GetValue(after), context.Parse.GetValue(limit), cancellationToken);
            ShowPage(context.Out, page, Describe, "intelx operator credentials");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Actions()
    {
        var tenant = new Option<string>("--about") { Description = "Only actions about this tenant." };
        var (after, limit) = PageOptions();
        var command = new Command("actions", "The record of operator actions (who, what, when), oldest first.") { tenant, after, limit };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var page = await context.Client().ListOperatorActionsAsync(context.Parse.GetValue(tenant), context.Parse.GetValue(after), context.Parse.GetValue(limit), cancellationToken);
            ShowPage(context.Out, page, a => $"{a.OccurredAt:u}  {a.Actor,-12} {a.Action,-20} {a.Tenant,-12} {a.Target}", "intelx operator actions");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (Option<string> After, Option<int?> Limit) PageOptions() =>
        (new Option<string>("--after") { Description = "Cursor from a previous page's 'next'." },
         new Option<int?>("--limit") { Description = "Page size, 1 to 500 (default 50)." });

    private static async Task<string> ReadPemAsync(FileInfo file, CancellationToken cancellationToken) =>
        file.Exists ? await File.ReadAllTextAsync(file.FullName, cancellationToken) : throw new UsageException($"{file.FullName} does not exist.");

    private static void Show<T>(Output output, T value, Func<T, string> describe)
    {
        if (output.Json)
        {
            output.Document(value);
            return;
        }
        output.Line(describe(value));
    }

    private static void ShowPage<T>(Output output, Page<T> page, Func<T, string> describe, string command)
    {
        if (output.Json)
        {
            output.Document(page);
            return;
        }
        foreach (var item in page.Items)
        {
            output.Line(describe(item));
        }
        output.Line(page.Next is null ? $"({page.Items.Count}, last page)" : $"({page.Items.Count}) next: {command} --after {page.Next}");
    }

    private static string Describe(OperatorTenant t) =>
        $"{t.Id} ({t.Name})  {string.Join(", ", t.Roles)}{(t.Suspended ? "  SUSPENDED" : "")}  {t.ActiveCertificates} certificate(s), {t.ActiveSigningKeys} signing key(s)";

    private static string Describe(OperatorCredential c) =>
        $"{c.Thumbprint}  {c.Tenant}  {c.Subject}  valid {c.NotBefore:yyyy-MM-dd} to {c.NotAfter:yyyy-MM-dd}{(c.RevokedAt is { } at ? $"  REVOKED {at:u}" : "")}";

    private static string Describe(OperatorSigningKey k) =>
        $"{k.Kid}  {k.Tenant}  registered {k.RegisteredAt:u}{(k.RetiredAt is { } at ? $"  RETIRED {at:u}" : "")}";

    private static string Describe(SharingAgreementDetails a) => $"{a.Reporter} -> {a.Agency}{(a.IsDefault ? "  (default)" : "")}";

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
