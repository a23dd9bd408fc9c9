using System.CommandLine;
using IntelExchange.Cli.Commands;
using IntelExchange.Cli.Infrastructure;

// One file per command group; a new group (cases, webhook, …) is one more line here.
var root = new RootCommand("intelx: the IntelExchange partner tool. Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 exchange unreachable.");
GlobalOptions.AddTo(root);
root.Subcommands.Add(PartnerCommands.Whoami());
root.Subcommands.Add(KeysCommands.Create());
root.Subcommands.Add(SubmitCommand.Create());
root.Subcommands.Add(ReportsCommands.Create());
root.Subcommands.Add(FeedCommand.Create());
root.Subcommands.Add(CasesCommands.Create());
root.Subcommands.Add(WebhookCommands.Create());
root.Subcommands.Add(VerifyCommands.Create());
root.Subcommands.Add(AuditCommands.Create());
root.Subcommands.Add(OperatorCommands.Create());
return await CliCommand.InvokeAsync(root, args);
