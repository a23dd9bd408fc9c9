namespace IntelExchange.Api.Infrastructure.Hosting;

/// <summary>
/// Settings read once at startup, before the host runs. Every key is listed with its default in the README.
/// </summary>
internal sealed record ExchangeSettings
{
    public required string DataPath { get; init; }
    public required Uri PartnerListener { get; init; }
    public required Uri OpsListener { get; init; }
    public required TlsSettings Tls { get; init; }
    public required bool DevPki { get; init; }
    public required string ReceiptKeyPath { get; init; }
    public required IReadOnlyList<string> PreviousReceiptKeyPaths { get; init; }

    public string DevPkiPath => Path.Combine(DataPath, "dev-pki");

    public static string ReadDataPath(IConfiguration configuration) => Path.GetFullPath(
        configuration["INTELX_DATA"] ?? configuration["Exchange:DataPath"] ?? Path.Combine(Environment.CurrentDirectory, ".intelx"));

    public static ExchangeSettings Read(IConfiguration configuration)
    {
        var dataPath = ReadDataPath(configuration);
        var serverCertificate = configuration["Tls:ServerCertificate"];
        var devPki = string.IsNullOrWhiteSpace(serverCertificate);
        var devPkiPath = Path.Combine(dataPath, "dev-pki");

        var tls = devPki
            ? new TlsSettings(
                Path.Combine(devPkiPath, "server.crt"),
                Path.Combine(devPkiPath, "server.key"),
                [Path.Combine(devPkiPath, "ca.crt")])
            : new TlsSettings(
                serverCertificate!,
                configuration["Tls:ServerKey"],
                SplitList(configuration["Tls:PartnerCaCertificates"]));

        if (!devPki && tls.PartnerCaCertificatePaths.Count == 0)
        {
            throw new InvalidOperationException("Tls:PartnerCaCertificates must name at least one partner CA certificate file.");
        }

        var receiptKey = configuration["Signing:ReceiptKey"];
        if (!devPki && string.IsNullOrWhiteSpace(receiptKey))
        {
            throw new InvalidOperationException("Signing:ReceiptKey must name the exchange's receipt signing key (PKCS#8 PEM, EC P-256).");
        }

        return new ExchangeSettings
        {
            DataPath = dataPath,
            PartnerListener = new Uri(configuration["Listeners:Partner"] ?? "https://127.0.0.1:5443"),
            OpsListener = new Uri(configuration["Listeners:Ops"] ?? "http://127.0.0.1:5081"),
            Tls = tls,
            DevPki = devPki,
            ReceiptKeyPath = string.IsNullOrWhiteSpace(receiptKey) ? Path.Combine(dataPath, "keys", "receipt.key") : receiptKey,
            PreviousReceiptKeyPaths = SplitList(configuration["Signing:PreviousReceiptKeys"]),
        };
    }

    private static string[] SplitList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal sealed record TlsSettings(string ServerCertificatePath, string? ServerKeyPath, IReadOnlyList<string> PartnerCaCertificatePaths);
