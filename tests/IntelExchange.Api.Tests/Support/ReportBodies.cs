using System.Text;
using System.Text.Json.Nodes;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Variations of the sample report: edit it as a JSON tree, then send the exact bytes of the result.</summary>
public static class ReportBodies
{
    public static byte[] With(Action<JsonObject> change)
    {
        var report = JsonNode.Parse(SampleReports.Json())!.AsObject();
        change(report);
        return Encoding.UTF8.GetBytes(report.ToJsonString());
    }

    public static byte[] WithTargets(params JsonObject[] targets) => With(r => r["targets"] = new JsonArray(targets));

    public static JsonObject Target(string type, string value) => new() { ["type"] = type, ["value"] = value };

    public static byte[] WithTarget(string type, string value) => WithTargets(Target(type, value));

    /// <summary>Sets a member at a dotted path such as <c>works[0].title</c> (arrays by index).</summary>
    public static byte[] WithValue(string path, JsonNode? value) => With(report =>
    {
        JsonNode node = report;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var (name, index) = Split(segments[i]);
            var last = i == segments.Length - 1;
            if (index is null && last)
            {
                node.AsObject()[name] = value;
                return;
            }
            node = node[name]!;
            if (index is { } at)
            {
                if (last)
                {
                    node.AsArray()[at] = value;
                    return;
                }
                node = node[at]!;
            }
        }
    });

    private static (string Name, int? Index) Split(string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? (segment, null) : (segment[..bracket], int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
