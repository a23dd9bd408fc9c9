using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IntelExchange.Api.Infrastructure.Data;

/// <summary>Stores an enum as its wire name (<c>under_review</c>), so the database reads like the API.</summary>
internal sealed class WireNameConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => WireNames<TEnum>.ToWire(value),
    wire => WireNames<TEnum>.FromWire(wire))
    where TEnum : struct, Enum;

internal static class WireNames<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> ByValue = Enum.GetValues<TEnum>().ToDictionary(
        value => value,
        value => typeof(TEnum).GetField(value.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                 ?? value.ToString());

    private static readonly Dictionary<string, TEnum> ByWire = ByValue.ToDictionary(pair => pair.Value, pair => pair.Key);

    public static string ToWire(TEnum value) => ByValue[value];

    public static TEnum FromWire(string wire) => ByWire[wire];

    public static bool TryFromWire(string wire, out TEnum value) => ByWire.TryGetValue(wire, out value);
}
