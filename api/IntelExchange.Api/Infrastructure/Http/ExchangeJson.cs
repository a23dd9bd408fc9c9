using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace IntelExchange.Api.Infrastructure.Http;

internal static class ExchangeJson
{
    /// <summary>
    /// How partner input is read: camelCase exactly, unknown and duplicate properties refused, no numbers in strings,
    /// no integer enum values, no comments or trailing commas, bounded depth.
    /// </summary>
    public static readonly JsonSerializerOptions Strict = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNameCaseInsensitive = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.AllowDuplicateProperties = false;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.AllowTrailingCommas = false;
        options.MaxDepth = 16;
        // Spanish text stays readable (Resolución, not Resoluci\u00F3n); HTML-significant characters are still escaped.
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Insert(0, new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.Converters.Insert(1, new Rfc3339DateTimeOffsetConverter());
        return options;
    }

    /// <summary>A description of a JSON failure safe to return to the caller: the path and the kind, never input echoes.</summary>
    public static string Describe(JsonException exception)
    {
        var path = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
        var message = exception.Message;
        var reason = message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown property"
            : message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "duplicate property"
            : message.Contains("missing required", StringComparison.OrdinalIgnoreCase) ? "missing required property"
            : message.Contains("null values", StringComparison.OrdinalIgnoreCase) || message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase) ? "null is not allowed"
            : message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? "nesting too deep"
            : exception.InnerException is not null || message.Contains("could not be converted", StringComparison.Ordinal) ? "value of the wrong type or not an allowed value"
            : "invalid JSON";
        return $"{reason} at {path}";
    }
}

/// <summary>
/// Reads only RFC 3339 date-times (with <c>T</c> and an offset or <c>Z</c>). The default reader also takes a date alone or a
/// time without offset and applies the server's own zone, so the same signed bytes would name a different instant on
/// another server.
/// </summary>
internal sealed partial class Rfc3339DateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException();
        }
        var text = reader.GetString()!;
        if (!Rfc3339().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value))
        {
            throw new JsonException();
        }
        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
