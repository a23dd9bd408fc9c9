using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace IntelExchange.Bench;

/// <summary>The exchange as a separate process (Release build), so its RSS and start-up time are its own.</summary>
internal sealed class ExchangeProcess : IDisposable
{
    private readonly Process _process;
    private long _peakRssKb;

    private ExchangeProcess(Process process, string dataPath, int partnerPort, int opsPort, TimeSpan readyAfter)
    {
        _process = process;
        DataPath = dataPath;
        PartnerAddress = new Uri($"https://127.0.0.1:{partnerPort}");
        OpsAddress = new Uri($"http://127.0.0.1:{opsPort}");
        ReadyAfter = readyAfter;
    }

    public string DataPath { get; }
    public Uri PartnerAddress { get; }
    public Uri OpsAddress { get; }
    public TimeSpan ReadyAfter { get; }
    public int Pid => _process.Id;
    public string DevPki => Path.Combine(DataPath, "dev-pki");

    /// <summary>Resident set size (VmRSS) of the exchange process now, in MB.</summary>
    public double RssMb => File.ReadLines($"/proc/{_process.Id}/status").Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0).First();

    /// <summary>Peak resident set size (VmHWM) of the exchange process so far, in MB.</summary>
    public double PeakRssMb
    {
        get
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    _peakRssKb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
                }
            }
            return _peakRssKb / 1024.0;
        }
    }

    /// <summary>Starts the exchange on a new data folder, or on <paramref name="dataPath"/> to restart one (its dev PKI kept).</summary>
    public static async Task<ExchangeProcess> StartAsync(
        string apiDll, IDictionary<string, string> environment, int partnerPort, int opsPort, string? dataPath = null)
    {
        dataPath ??= Path.Combine(Path.GetTempPath(), "intelx-bench", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [apiDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["INTELX_DATA"] = dataPath;
        start.Environment["Listeners__Partner"] = $"https://127.0.0.1:{partnerPort}";
        start.Environment["Listeners__Ops"] = $"http://127.0.0.1:{opsPort}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("BENCH_EXCHANGE__", StringComparison.Ordinal)))
        {
            start.Environment[key["BENCH_EXCHANGE__".Length..]] = Environment.GetEnvironmentVariable(key);
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        var echo = Environment.GetEnvironmentVariable("BENCH_EXCHANGE_LOG") == "1";
        process.OutputDataReceived += (_, e) => { if (echo && e.Data is not null) Console.Error.WriteLine("[exchange] " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[exchange] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var ops = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await ops.GetAsync($"http://127.0.0.1:{opsPort}/health/ready")).IsSuccessStatusCode)
                {
                    return new ExchangeProcess(process, dataPath, partnerPort, opsPort, clock.Elapsed);
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(20);
        }
        process.Kill();
        throw new InvalidOperationException("The exchange did not become ready within 60 s.");
    }

    public HttpClient ClientFor(string tenant, int connections = 16)
    {
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(DevPki, tenant, "client.crt"), Path.Combine(DevPki, tenant, "client.key"));
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(DevPki, "ca.crt"));
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, server, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return server is not null && chain.Build(X509CertificateLoader.LoadCertificate(server.GetRawCertData()));
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = PartnerAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Kills the process (as a crash would) and keeps its data folder, so it can be started again on it.</summary>
    public void Stop()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already disposed.
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
