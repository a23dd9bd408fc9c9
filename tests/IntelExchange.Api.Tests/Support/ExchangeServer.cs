using IntelExchange.Api.Features.Audit;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using IntelExchange.Api.Infrastructure.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Support;

/// <summary>
/// A real exchange: Kestrel with TLS on loopback (dynamic ports), the embedded default's dev PKI in a temporary data
/// folder, and SQLite or PostgreSQL, in-memory or RabbitMQ, as the test asks.
/// </summary>
public sealed class ExchangeServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IWebHostBuilder>? _configure;

    /// <summary>Only a data folder the server made up itself is deleted on dispose; a given one outlives it (restart tests).</summary>
    private readonly bool _ownsDataPath;

    /// <param name="configure">Extra host configuration, e.g. a capturing logger provider or a test exporter.</param>
    public ExchangeServer(IDictionary<string, string?>? settings = null, string? dataPath = null, Action<IWebHostBuilder>? configure = null)
    {
        _configure = configure;
        _ownsDataPath = dataPath is null;
        DataPath = dataPath ?? Path.Combine(Path.GetTempPath(), "intelx-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>
        {
            ["Exchange:DataPath"] = DataPath,
            ["Listeners:Partner"] = "https://127.0.0.1:0",
            ["Listeners:Ops"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            // No checkpoint (and its outbox messages to agencies) appears mid-test unless the test asks for one.
            ["Audit:CheckpointEveryEntries"] = "1000000",
            ["Audit:CheckpointEverySeconds"] = "86400",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
        UseKestrel();
        StartServer();

        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        PartnerAddress = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));
        OpsAddress = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        CaCertificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(DevPki, "ca.crt"));
    }

    public string DataPath { get; }
    public string DevPki => Path.Combine(DataPath, "dev-pki");
    public Uri PartnerAddress { get; }
    public Uri OpsAddress { get; }
    public X509Certificate2 CaCertificate { get; }

    public static ExchangeServer Postgres(string database, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = "postgres",
            ["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase(database),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return new ExchangeServer(settings);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        _configure?.Invoke(builder);
    }

    /// <summary>A client presenting the demo tenant's dev certificate, trusting only the dev CA for the server.</summary>
    public HttpClient ClientFor(string tenant) => ClientWith(LoadClientCertificate(tenant));

    public X509Certificate2 LoadClientCertificate(string tenant) =>
        LoadPem(Path.Combine(DevPki, tenant, "client.crt"), Path.Combine(DevPki, tenant, "client.key"));

    public HttpClient ClientWith(X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
                RemoteCertificateValidationCallback = (_, serverCertificate, _, _) => ChainsToDevCa(serverCertificate),
            },
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        return new HttpClient(handler) { BaseAddress = PartnerAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Runs a query or change across every tenant (a system data scope), as the exchange's own jobs do.</summary>
    internal T WithDb<T>(Func<ExchangeDb, T> query)
    {
        using var scope = Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().ForSystem();
        return query(scope.ServiceProvider.GetRequiredService<ExchangeDb>());
    }

    /// <summary>The ledger as a reader of it sees it: every entry committed so far chained first, as the audit endpoints do.</summary>
    internal T WithLedger<T>(Func<ExchangeDb, T> query)
    {
        Services.GetRequiredService<AuditSequencer>().CatchUpAsync(CancellationToken.None).GetAwaiter().GetResult();
        return WithDb(query);
    }

    public static X509Certificate2 LoadPem(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private bool ChainsToDevCa(X509Certificate? serverCertificate)
    {
        if (serverCertificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(CaCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(serverCertificate.GetRawCertData()));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDataPath)
        {
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by SQLite; the temp folder is cleaned by the OS.
            }
        }
    }
}
