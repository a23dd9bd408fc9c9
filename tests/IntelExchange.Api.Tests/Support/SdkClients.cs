using IntelExchange.Client.Http;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Support;

/// <summary>The SDK client as a partner configures it from the dev PKI: its certificate, the dev CA, its signing key.</summary>
public static class SdkClients
{
    public static IntelExchangeClient SdkClientFor(this ExchangeServer server, string tenant, Func<HttpMessageHandler, HttpMessageHandler>? wrapTransport = null) =>
        new(new IntelExchangeClientOptions
        {
            BaseAddress = server.PartnerAddress,
            TenantId = tenant,
            ClientCertificatePath = Path.Combine(server.DevPki, tenant, "client.crt"),
            ClientKeyPath = Path.Combine(server.DevPki, tenant, "client.key"),
            ServerCaPath = Path.Combine(server.DevPki, "ca.crt"),
            SigningKeyPath = Path.Combine(server.DevPki, tenant, "signing.key"),
            SigningKeyId = File.ReadAllText(Path.Combine(server.DevPki, tenant, "signing.kid")).Trim(),
            RetryDelay = TimeSpan.FromMilliseconds(50),
            WrapTransport = wrapTransport,
        });

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
