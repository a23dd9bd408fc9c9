using System.CommandLine;
using System.Security.Cryptography;
using IntelExchange.Cli.Infrastructure;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx whoami</c> (and, when the endpoints exist, <c>intelx webhook set|deliveries|redeliver</c>).</summary>
internal static class PartnerCommands
{
    public static Command Whoami()
    {
        var command = new Command("whoami", "Show the tenant, name and roles the exchange sees for the client certificate.");
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var client = context.Client();
            var identity = await client.GetIdentityAsync(cancellationToken);
            var certificate = client.ClientCertificate;
            var thumbprint = Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
            if (context.Out.Json)
            {
                context.Out.Document(new
                {
                    identity.TenantId,
                    identity.Name,
                    identity.Roles,
                    Server = context.Parse.GetValue(GlobalOptions.Server),
                    Certificate = new { certificate.Subject, Sha256 = thumbprint, NotAfter = new DateTimeOffset(certificate.NotAfter) },
                });
                return ExitCodes.Ok;
            }
            context.Out.Line($"{identity.TenantId} ({identity.Name})");
            context.Out.Line($"  roles        {string.Join(", ", identity.Roles)}");
            context.Out.Line($"  server       {context.Parse.GetValue(GlobalOptions.Server)}");
            context.Out.Line($"  certificate  {certificate.Subject}, SHA-256 {thumbprint}, valid until {certificate.NotAfter:yyyy-MM-dd}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
