using System.Text.Json;
using IntelExchange.Client;

namespace IntelExchange.Cli.Infrastructure;

/// <summary>Enum values as the wire spells them (<c>stream_ripping</c>, not <c>StreamRipping</c>).</summary>
internal static class Wire
{
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonSerializer.Serialize(value, ClientJson.Options).Trim('"');

    public static TEnum Parse<TEnum>(string wireName) where TEnum : struct, Enum =>
        JsonSerializer.Deserialize<TEnum>($"\"{wireName}\"", ClientJson.Options);
}
