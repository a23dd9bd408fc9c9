using IntelExchange.Client.Http;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Support;

/// <summary>The SDK client as a partner configures it from the dev PKI: its certificate, the dev CA, its signing key.</summary>
public static class SdkClients
{
    public static IntelExchangeClient SdkClientFor(this ExchangeServer server, string tenant, Func<HttpMessageHandler, HttpMessageHandler>? wrapTransport = null) =>
        new(Options(server.PartnerAddress, server.DevPki, tenant, wrapTransport));

    /// <summary>Options for <paramref name="tenant"/> of the exchange at <paramref name="address"/> whose dev PKI is <paramref name="devPki"/>.</summary>
    public static IntelExchangeClientOptions Options(
        Uri address, string devPki, string tenant, Func<HttpMessageHandler, HttpMessageHandler>? wrapTransport = null, int maxRetries = 3,
        TimeSpan? attemptTimeout = null) => new()
    {
        BaseAddress = address,
        TenantId = tenant,
        ClientCertificatePath = Path.Combine(devPki, tenant, "client.crt"),
        ClientKeyPath = Path.Combine(devPki, tenant, "client.key"),
        ServerCaPath = Path.Combine(devPki, "ca.crt"),
        SigningKeyPath = Path.Combine(devPki, tenant, "signing.key"),
        SigningKeyId = File.ReadAllText(Path.Combine(devPki, tenant, "signing.kid")).Trim(),
        RetryDelay = TimeSpan.FromMilliseconds(50),
        WrapTransport = wrapTransport,
        MaxRetries = maxRetries,
        AttemptTimeout = attemptTimeout ?? TimeSpan.FromSeconds(30),
    };

    /// <summary>A valid report as a typed record.</summary>
    public static InfringementReport Report(string? externalId = null, IReadOnlyList<ReportTarget>? targets = null, IReadOnlyList<string>? shareWith = null) => new()
    {
        ExternalId = externalId ?? "IFPI-SDK-" + Guid.NewGuid().ToString("N")[..12],
        LegalBasis = new LegalBasis { MouReference = "INDECOPI-IFPI-MOU-2022" },
        Category = ReportCategory.StreamRipping,
        RequestedAction = RequestedAction.Block,
        Tlp = TrafficLightProtocol.Amber,
        ObservedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
        Targets = targets ?? [new ReportTarget { Type = TargetType.Domain, Value = "y2mate.example" }],
        ShareWith = shareWith,
    };
}
