using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Client.Http;

namespace IntelExchange.Cli.Infrastructure;

/// <summary>Options every command takes: where the exchange is, who we are (a dev-PKI folder or explicit files), and the output form.</summary>
internal static class GlobalOptions
{
    public const string DefaultServer = "https://127.0.0.1:5443";
    public const string DefaultTenant = "ifpi";
    public static readonly string DefaultPki = Path.Combine(".intelx", "dev-pki");

    public static readonly Option<Uri> Server = new("--server")
    {
        Description = "The exchange's partner API.",
        DefaultValueFactory = _ => new Uri(DefaultServer),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
            {
                return uri;
            }
            result.AddError($"--server must be an https:// URL, not '{text}'.");
            return null;
        },
        Recursive = true,
    };

    public static readonly Option<string> Pki = new("--pki")
    {
        Description = "A dev-PKI folder (ca.crt, and T/client.crt, T/client.key, T/signing.key, T/signing.kid per tenant T).",
        DefaultValueFactory = _ => DefaultPki,
        Recursive = true,
    };

    public static readonly Option<string> Tenant = new("--tenant")
    {
        Description = $"The tenant to act as (default {DefaultTenant}, or the CN of --cert).",
        Recursive = true,
    };

    public static readonly Option<string> Cert = new("--cert") { Description = "Client certificate PEM (instead of the dev PKI's).", Recursive = true };
    public static readonly Option<string> Key = new("--key") { Description = "Client certificate's private key PEM (default: in the --cert file).", Recursive = true };
    public static readonly Option<string> Ca = new("--ca") { Description = "CA PEM to trust for the server (default: the dev PKI's ca.crt if present, else the system store).", Recursive = true };
    public static readonly Option<string> SigningKey = new("--signing-key") { Description = "EC P-256 signing key PEM (PKCS#8).", Recursive = true };
    public static readonly Option<string> Kid = new("--kid") { Description = "Key id of the signing key (default: signing.kid beside it, else its RFC 7638 thumbprint).", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "Machine-readable JSON output.", Recursive = true };

    public static void AddTo(Command root)
    {
        foreach (var option in new Option[] { Server, Pki, Tenant, Cert, Key, Ca, SigningKey, Kid, Json })
        {
            root.Options.Add(option);
        }
    }

    public static string ResolveTenant(ParseResult parse)
    {
        if (parse.GetValue(Tenant) is { Length: > 0 } tenant)
        {
            return tenant;
        }
        if (parse.GetValue(Cert) is { } certPath)
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(RequireFile(certPath, "--cert"));
            return certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        }
        return DefaultTenant;
    }

    /// <summary>Client options from the command line; the signing key only when the command signs.</summary>
    public static IntelExchangeClientOptions ClientOptions(ParseResult parse, bool signing)
    {
        var pki = parse.GetValue(Pki)!;
        var tenant = ResolveTenant(parse);
        var tenantFolder = Path.Combine(pki, tenant);
        string FromPki(string file) => RequireFile(Path.Combine(tenantFolder, file),
            $"the dev PKI (--pki {pki}, --tenant {tenant}); start the exchange once with `dotnet run --project api/IntelExchange.Api`, or pass --cert/--key/--signing-key");

        var explicitCert = parse.GetValue(Cert);
        var certPath = explicitCert is null ? FromPki("client.crt") : RequireFile(explicitCert, "--cert");
        var keyPath = parse.GetValue(Key) is { } key ? RequireFile(key, "--key") : explicitCert is null ? FromPki("client.key") : null;
        var caPath = parse.GetValue(Ca) is { } ca ? RequireFile(ca, "--ca") : File.Exists(Path.Combine(pki, "ca.crt")) ? Path.Combine(pki, "ca.crt") : null;

        string? signingKeyPath = null;
        var kid = parse.GetValue(Kid);
        if (signing)
        {
            signingKeyPath = parse.GetValue(SigningKey) is { } explicitKey ? RequireFile(explicitKey, "--signing-key") : FromPki("signing.key");
            var kidFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(signingKeyPath))!, "signing.kid");
            if (kid is null && File.Exists(kidFile))
            {
                kid = File.ReadAllText(kidFile).Trim();
            }
        }

        return new IntelExchangeClientOptions
        {
            BaseAddress = parse.GetValue(Server)!,
            TenantId = tenant,
            ClientCertificatePath = certPath,
            ClientKeyPath = keyPath,
            ServerCaPath = caPath,
            SigningKeyPath = signingKeyPath,
            SigningKeyId = kid,
        };
    }

    public static string RequireFile(string path, string from) =>
        File.Exists(path) ? path : throw new UsageException($"{path} does not exist (from {from}).");
}
