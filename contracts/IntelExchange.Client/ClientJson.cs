using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntelExchange.Client;

/// <summary>
/// How the SDK reads and writes the exchange's JSON: camelCase; unknown members in answers are ignored (the contract
/// only ever adds optional members); nulls are left out of what it sends.
/// </summary>
public static class ClientJson
{
    /// <summary>The serializer options.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
