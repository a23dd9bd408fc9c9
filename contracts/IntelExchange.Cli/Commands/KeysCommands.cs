using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Client.Signing;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx keys …</c>: key material a partner creates itself and sends (public halves only) to the operator.</summary>
internal static class KeysCommands
{
    public static Command Create()
    {
        var keys = new Command("keys", "Create a partner's keys.");
        keys.Subcommands.Add(New());
        return keys;
    }

    private static Command New()
    {
        var outDir = new Option<string>("--out") { Description = "Folder to write the keys to (created if missing).", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite existing files." };
        var command = new Command("new", "Create an EC P-256 signing key (with its public key and kid) and a client key with a CSR (CN=tenant, clientAuth) for the partner CA.")
        {
            outDir, force,
        };
        command.SetCliAction((context, _) =>
        {
            var tenant = GlobalOptions.ResolveTenant(context.Parse);
            var folder = context.Parse.GetValue(outDir)!;
            var files = new KeyFiles(folder);
            if (!context.Parse.GetValue(force) && files.All.FirstOrDefault(File.Exists) is { } existing)
            {
                throw new UsageException($"{existing} already exists; pass --force to overwrite it.");
            }
            Directory.CreateDirectory(folder);

            using var signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var kid = DetachedJws.KeyId(signingKey.ExportParameters(false));
            WriteSecret(files.SigningKey, signingKey.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(files.SigningPublicKey, signingKey.ExportSubjectPublicKeyInfoPem() + "\n");
            File.WriteAllText(files.SigningKid, kid + "\n");

            using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            WriteSecret(files.ClientKey, clientKey.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(files.ClientCsr, ClientCertificateRequest(tenant, clientKey).CreateSigningRequestPem() + "\n");

            if (context.Out.Json)
            {
                context.Out.Document(new { tenant, kid, files.SigningKey, files.SigningPublicKey, files.SigningKid, files.ClientKey, files.ClientCsr });
            }
            else
            {
                context.Out.Line($"Keys for tenant '{tenant}' in {Path.GetFullPath(folder)}:");
                context.Out.Line($"  signing.key      EC P-256 signing key (PKCS#8, keep it secret)");
                context.Out.Line($"  signing.pub.pem  its public key: the operator registers it for your tenant");
                context.Out.Line($"  signing.kid      {kid}");
                context.Out.Line($"  client.key       client certificate key (PKCS#8, keep it secret)");
                context.Out.Line($"  client.csr       CSR (CN={tenant}, clientAuth) for the partner CA");
                context.Out.Line("Send signing.pub.pem and client.csr to the exchange operator; keep the .key files.");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>A CSR for a partner client certificate: the tenant id as CN, TLS client authentication only.</summary>
    public static CertificateRequest ClientCertificateRequest(string tenant, ECDsa key)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(tenant);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], critical: false));
        return request;
    }

    private static void WriteSecret(string path, string pem)
    {
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private sealed record KeyFiles(string Folder)
    {
        public string SigningKey => Path.Combine(Folder, "signing.key");
        public string SigningPublicKey => Path.Combine(Folder, "signing.pub.pem");
        public string SigningKid => Path.Combine(Folder, "signing.kid");
        public string ClientKey => Path.Combine(Folder, "client.key");
        public string ClientCsr => Path.Combine(Folder, "client.csr");
        public IEnumerable<string> All => [SigningKey, SigningPublicKey, SigningKid, ClientKey, ClientCsr];
    }
}
