using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Client;
using IntelExchange.Client.Audit;
using IntelExchange.Client.Signing;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx verify receipt|bundle|ledger|consistency</c>.</summary>
internal static class VerifyCommands
{
    public static Command Create()
    {
        var verify = new Command("verify", "Check the exchange's signatures offline or against its JWKS.");
        verify.Subcommands.Add(Receipt());
        verify.Subcommands.Add(Bundle());
        verify.Subcommands.Add(Ledger());
        verify.Subcommands.Add(Consistency());
        return verify;
    }

    private static Command Receipt()
    {
        var receiptArgument = new Argument<string>("RECEIPT_OR_FILE")
        {
            Description = "A receipt (compact JWS), or a file holding one or a 202 answer with a 'receipt' member.",
        };
        var jwksFile = new Option<string>("--jwks") { Description = "Verify against this JWKS file instead of the server's /.well-known/jwks.json." };
        var bodyFile = new Option<string>("--body") { Description = "Also check that the receipt vouches for exactly this report file." };
        var command = new Command("receipt", "Verify a submission receipt and show what it vouches for.") { receiptArgument, jwksFile, bodyFile };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var receipt = ReadReceipt(context.Parse.GetValue(receiptArgument)!);
            var jwks = context.Parse.GetValue(jwksFile) is { } path
                ? ReadJson<JsonWebKeySet>(GlobalOptions.RequireFile(path, "--jwks"))
                : await context.Client().GetJwksAsync(cancellationToken);

            ReceiptPayload payload;
            try
            {
                payload = Receipts.Verify(receipt, jwks);
            }
            catch (CryptographicException exception)
            {
                return Refuse(context, exception.Message);
            }
            if (context.Parse.GetValue(bodyFile) is { } body)
            {
                var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(GlobalOptions.RequireFile(body, "--body"))));
                if (!string.Equals(sha256, payload.BodySha256, StringComparison.OrdinalIgnoreCase))
                {
                    return Refuse(context, $"the receipt is for body {payload.BodySha256}, but {body} has SHA-256 {sha256}.");
                }
            }

            if (context.Out.Json)
            {
                context.Out.Document(new { Verified = true, payload.ReportId, payload.Tenant, payload.BodySha256, payload.Jti, payload.ReceivedAt });
                return ExitCodes.Ok;
            }
            context.Out.Line($"Receipt verified: the exchange received report {payload.ReportId}");
            context.Out.Line($"  tenant       {payload.Tenant}");
            context.Out.Line($"  received at  {payload.ReceivedAt:u}");
            context.Out.Line($"  body sha256  {payload.BodySha256}" + (context.Parse.GetValue(bodyFile) is null ? "" : " (matches the file)"));
            context.Out.Line($"  jti          {payload.Jti}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Bundle()
    {
        var bundleFile = new Argument<string>("BUNDLE") { Description = "An evidence bundle (zip) from GET /v1/reports/{id}/evidence-bundle or intelx reports evidence." };
        var jwksFile = new Option<string>("--jwks") { Description = "The exchange's JWKS, obtained independently (default: the bundle's own copy, which proves consistency but not origin)." };
        var command = new Command("bundle", "Verify an evidence bundle offline: signature over the exact bytes, receipt, ledger entry, inclusion proof, checkpoint.")
        {
            bundleFile, jwksFile,
        };
        command.SetCliAction((context, _) =>
        {
            var path = GlobalOptions.RequireFile(context.Parse.GetValue(bundleFile)!, "BUNDLE");
            var pinned = context.Parse.GetValue(jwksFile) is { } jwksPath ? ReadJson<JsonWebKeySet>(GlobalOptions.RequireFile(jwksPath, "--jwks")) : null;
            BundleVerification result;
            try
            {
                using var stream = File.OpenRead(path);
                result = EvidenceBundles.Verify(stream, pinned);
            }
            catch (InvalidDataException exception)
            {
                return Task.FromResult(Refuse(context, $"{path} is not a well-formed evidence bundle: {exception.Message}", "Bundle"));
            }

            if (context.Out.Json)
            {
                context.Out.Document(new
                {
                    result.Verified, result.JwksPinned, ReportId = result.Receipt?.ReportId, EntryIndex = result.Entry?.Index,
                    result.Checkpoint?.TreeSize, result.Checkpoint?.RootHash, result.Checks,
                });
                return Task.FromResult(result.Verified ? ExitCodes.Ok : ExitCodes.Failed);
            }
            foreach (var check in result.Checks)
            {
                var line = $"  {(check.Passed ? "ok    " : "FAILED")} {check.Name,-16} {check.Detail}";
                if (check.Passed)
                {
                    context.Out.Line(line);
                }
                else
                {
                    context.Out.Error(line);
                }
            }
            if (!result.JwksPinned)
            {
                context.Out.Line("  note: the exchange's keys came from the bundle's jwks.json; pass --jwks with a copy obtained independently to pin them.");
            }
            if (result.Verified)
            {
                context.Out.Line($"Bundle verified: report {result.Receipt!.ReportId} is ledger entry {result.Entry!.Index} of checkpoint {result.Checkpoint!.TreeSize}");
            }
            else
            {
                context.Out.Error("Bundle does NOT verify.");
            }
            return Task.FromResult(result.Verified ? ExitCodes.Ok : ExitCodes.Failed);
        });
        return command;
    }

    private static Command Ledger()
    {
        var exportFile = new Argument<string>("EXPORT") { Description = "A ledger export (JSON Lines, one entry per line), e.g. from intelx audit export." };
        var checkpointFile = new Option<string>("--checkpoint")
        {
            Description = "A checkpoint you hold: its compact JWS, or the JSON of intelx audit checkpoint / GET /v1/audit/checkpoints/latest.",
            Required = true,
        };
        var jwksFile = new Option<string>("--jwks") { Description = "Verify the checkpoint against this JWKS file instead of the server's /.well-known/jwks.json." };
        var command = new Command("ledger", "Verify a whole ledger export against a saved checkpoint (detects edited, deleted, reordered or truncated entries).")
        {
            exportFile, checkpointFile, jwksFile,
        };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var exportPath = GlobalOptions.RequireFile(context.Parse.GetValue(exportFile)!, "EXPORT");
            var checkpointJws = ReadCheckpoint(GlobalOptions.RequireFile(context.Parse.GetValue(checkpointFile)!, "--checkpoint"));
            var jwks = context.Parse.GetValue(jwksFile) is { } path
                ? ReadJson<JsonWebKeySet>(GlobalOptions.RequireFile(path, "--jwks"))
                : await context.Client().GetJwksAsync(cancellationToken);

            Contracts.AuditCheckpointPayload checkpoint;
            try
            {
                checkpoint = Checkpoints.Verify(checkpointJws, jwks);
            }
            catch (CryptographicException exception)
            {
                return Refuse(context, "the checkpoint: " + exception.Message, "Ledger");
            }
            List<byte[]> entries;
            using (var stream = File.OpenRead(exportPath))
            {
                entries = LedgerVerifier.ReadExport(stream);
            }
            var result = LedgerVerifier.Verify(entries, checkpoint);

            if (context.Out.Json)
            {
                context.Out.Document(new { result.Verified, result.Entries, result.CheckpointTreeSize, checkpoint.RootHash, result.Problems });
                return result.Verified ? ExitCodes.Ok : ExitCodes.Failed;
            }
            if (!result.Verified)
            {
                foreach (var problem in result.Problems.Take(20))
                {
                    context.Out.Error("  " + problem);
                }
                if (result.Problems.Count > 20)
                {
                    context.Out.Error($"  … and {result.Problems.Count - 20} more");
                }
                context.Out.Error($"Ledger does NOT verify against the checkpoint of tree size {checkpoint.TreeSize}.");
                return ExitCodes.Failed;
            }
            context.Out.Line($"Ledger verified: {result.Entries} entries, hash chain intact; the first {checkpoint.TreeSize} have the checkpoint's root {checkpoint.RootHash}");
            if (result.Entries > checkpoint.TreeSize)
            {
                context.Out.Line($"  ({result.Entries - checkpoint.TreeSize} later entries are chained but not yet covered by this checkpoint)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Consistency()
    {
        var olderFile = new Argument<string>("OLDER") { Description = "A checkpoint you hold (compact JWS or the JSON of intelx audit checkpoint)." };
        var newerFile = new Option<string>("--newer") { Description = "A newer checkpoint file (default: the exchange's latest)." };
        var jwksFile = new Option<string>("--jwks") { Description = "Verify the checkpoints against this JWKS file instead of the server's." };
        var command = new Command("consistency", "Check that the exchange's ledger still extends a checkpoint you hold: nothing it covered was changed since.")
        {
            olderFile, newerFile, jwksFile,
        };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var client = context.Client();
            var jwks = context.Parse.GetValue(jwksFile) is { } path
                ? ReadJson<JsonWebKeySet>(GlobalOptions.RequireFile(path, "--jwks"))
                : await client.GetJwksAsync(cancellationToken);
            var olderJws = ReadCheckpoint(GlobalOptions.RequireFile(context.Parse.GetValue(olderFile)!, "OLDER"));
            var newerJws = context.Parse.GetValue(newerFile) is { } newerPath
                ? ReadCheckpoint(GlobalOptions.RequireFile(newerPath, "--newer"))
                : (await client.GetLatestCheckpointAsync(cancellationToken)).Checkpoint;

            Contracts.AuditCheckpointPayload older;
            Contracts.AuditCheckpointPayload newer;
            try
            {
                older = Checkpoints.Verify(olderJws, jwks);
                newer = Checkpoints.Verify(newerJws, jwks);
            }
            catch (CryptographicException exception)
            {
                return Refuse(context, "a checkpoint: " + exception.Message, "Consistency");
            }
            if (newer.TreeSize < older.TreeSize)
            {
                return Refuse(context, $"the newer checkpoint covers {newer.TreeSize} entries, fewer than the {older.TreeSize} of the one you hold (the ledger was truncated).", "Consistency");
            }
            var proof = older.TreeSize == 0
                ? new Contracts.AuditConsistencyProof { From = 0, To = newer.TreeSize, Proof = [] }
                : await client.GetConsistencyProofAsync(older.TreeSize, newer.TreeSize, cancellationToken);
            if (!Checkpoints.AreConsistent(older, newer, proof))
            {
                return Refuse(context, $"the ledger of tree size {newer.TreeSize} does not extend the one of size {older.TreeSize} you hold (it was rewritten).", "Consistency");
            }

            if (context.Out.Json)
            {
                context.Out.Document(new { Verified = true, From = older.TreeSize, To = newer.TreeSize, OlderRoot = older.RootHash, NewerRoot = newer.RootHash });
                return ExitCodes.Ok;
            }
            context.Out.Line($"Consistent: the ledger of {newer.TreeSize} entries (root {newer.RootHash}) extends the {older.TreeSize} you hold (root {older.RootHash})");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A checkpoint file holds the compact JWS, or JSON with a <c>checkpoint</c> member.</summary>
    private static string ReadCheckpoint(string path)
    {
        var text = File.ReadAllText(path).Trim();
        if (!text.StartsWith('{'))
        {
            return text;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("checkpoint", out var jws) && jws.ValueKind == JsonValueKind.String
                ? jws.GetString()!
                : throw new UsageException($"{path} holds JSON without a 'checkpoint' member.");
        }
        catch (JsonException exception)
        {
            throw new UsageException($"{path} is neither a checkpoint nor JSON: {exception.Message}");
        }
    }

    private static int Refuse(CliContext context, string reason, string what = "Receipt")
    {
        if (context.Out.Json)
        {
            context.Out.Document(new { Verified = false, Reason = reason });
        }
        else
        {
            context.Out.Error($"{what} does NOT verify: " + reason);
        }
        return ExitCodes.Failed;
    }

    private static string ReadReceipt(string receiptOrFile)
    {
        var isFile = File.Exists(receiptOrFile);
        var text = (isFile ? File.ReadAllText(receiptOrFile) : receiptOrFile).Trim();
        if (!isFile && text.Count(c => c == '.') != 2)
        {
            throw new UsageException($"{receiptOrFile} is neither a file nor a compact JWS.");
        }
        if (!text.StartsWith('{'))
        {
            return text;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("receipt", out var receipt) && receipt.ValueKind == JsonValueKind.String
                ? receipt.GetString()!
                : throw new UsageException($"{receiptOrFile} holds JSON without a 'receipt' member.");
        }
        catch (JsonException exception)
        {
            throw new UsageException($"{receiptOrFile} is neither a receipt nor JSON: {exception.Message}");
        }
    }

    private static T ReadJson<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), ClientJson.Options)
                ?? throw new UsageException($"{path} is empty.");
        }
        catch (JsonException exception)
        {
            throw new UsageException($"{path} is not a valid {typeof(T).Name}: {exception.Message}");
        }
    }
}
