using System.CommandLine;
using System.Text.Json;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Client;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx audit checkpoint|export</c>: fetch what <c>intelx verify ledger</c> checks.</summary>
internal static class AuditCommands
{
    public static Command Create()
    {
        var audit = new Command("audit", "The exchange's tamper-evident audit ledger.");
        audit.Subcommands.Add(Checkpoint());
        audit.Subcommands.Add(Export());
        return audit;
    }

    private static Command Checkpoint()
    {
        var output = new Option<string>("--out") { Description = "Save the checkpoint (JSON with the compact JWS) to this file, to hold as a witness copy." };
        var command = new Command("checkpoint", "Show the latest signed checkpoint of the ledger.") { output };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var checkpoint = await context.Client().GetLatestCheckpointAsync(cancellationToken);
            if (context.Parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(checkpoint, ClientJson.Options) + "\n", cancellationToken);
            }
            if (context.Out.Json)
            {
                context.Out.Document(checkpoint);
                return ExitCodes.Ok;
            }
            context.Out.Line($"Checkpoint of tree size {checkpoint.TreeSize}");
            context.Out.Line($"  root hash  {checkpoint.RootHash}");
            context.Out.Line($"  issued at  {checkpoint.IssuedAt:u}");
            context.Out.Line(checkpoint.TimestampToken is null ? "  time-stamp none" : $"  time-stamp RFC 3161 token, {checkpoint.TimestampToken.Length} bytes");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export()
    {
        var output = new Option<string>("--out") { Description = "Where to write the export (JSON Lines: each line the exact bytes of one entry).", Required = true };
        var command = new Command("export", "Export the whole ledger (operators).") { output };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var client = context.Client();
            var path = context.Parse.GetValue(output)!;
            var count = 0L;
            await using (var file = File.Create(path))
            {
                string? after = null;
                do
                {
                    var page = await client.ListAuditEntriesAsync(after, 500, cancellationToken);
                    foreach (var entry in page.Items)
                    {
                        await file.WriteAsync(entry.Entry, cancellationToken);
                        file.WriteByte((byte)'\n');
                        count++;
                    }
                    after = page.Next;
                }
                while (after is not null);
            }
            if (context.Out.Json)
            {
                context.Out.Document(new { Entries = count, File = path });
            }
            else
            {
                context.Out.Line($"Exported {count} ledger entries to {path}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
