using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Client;
using IntelExchange.Client.Signing;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx verify receipt</c> (and, when the endpoints exist, <c>verify bundle|ledger</c>).</summary>
internal static class VerifyCommands
{
    public static Command Create()
    {
        var verify = new Command("verify", "Check the exchange's signatures offline or against its JWKS.");
        verify.Subcommands.Add(Receipt());
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

    private static int Refuse(CliContext context, string reason)
    {
        if (context.Out.Json)
        {
            context.Out.Document(new { Verified = false, Reason = reason });
        }
        else
        {
            context.Out.Error("Receipt does NOT verify: " + reason);
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
