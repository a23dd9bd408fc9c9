namespace IntelExchange.Contracts.V1;

/// <summary>Names on the bus that partners and operators rely on.</summary>
public static class BusNames
{
    /// <summary>
    /// Each agency's endpoint: a durable fanout exchange and a durable (quorum) queue of this name, bound together.
    /// The exchange sends only to it what is shared with that agency; the agency's broker user may read only it.
    /// </summary>
    public static string AgencyEndpoint(string agency) => $"intelx.agency.{agency}";

    /// <summary>Where MassTransit moves a message whose consumer kept failing.</summary>
    public static string ErrorQueue(string agency) => AgencyEndpoint(agency) + "_error";
}
