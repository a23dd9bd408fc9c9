using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IntelExchange.Api.Features.Reports;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Json.Schema;
using Microsoft.Extensions.Configuration;

namespace IntelExchange.Api.Tests.Contracts;

/// <summary>
/// <c>contracts/schemas/report.v1.json</c> and <c>contracts/examples/v1</c> say what the server does: every example is
/// valid for the schema, the strict parser and the validator (and a running exchange accepts it), invalid documents
/// are refused by both sides, and the schema's members and enumerations are the contract types'.
/// </summary>
public sealed class ReportSchemaTests : IClassFixture<SqliteExchange>
{
    private static readonly string ContractsFolder = Path.Combine(AppContext.BaseDirectory, "contracts");
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(ContractsFolder, "schemas", "report.v1.json")));
    private static readonly EvaluationOptions Evaluation = new() { RequireFormatValidation = true, OutputFormat = OutputFormat.List };
    private static readonly InfringementReportValidator Validator = new(TimeProvider.System, new ConfigurationBuilder().Build());

    private readonly ExchangeServer _server;

    public ReportSchemaTests(SqliteExchange fixture) => _server = fixture.Server;

    private static IEnumerable<string> ExampleNames() =>
        Directory.GetFiles(Path.Combine(ContractsFolder, "examples", "v1"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static TheoryData<string> Examples() => new(ExampleNames());

    private static byte[] Example(string name) => File.ReadAllBytes(Path.Combine(ContractsFolder, "examples", "v1", name));

    private static EvaluationResults Evaluate(byte[] document)
    {
        using var parsed = JsonDocument.Parse(document);
        return Schema.Evaluate(parsed.RootElement, Evaluation);
    }

    private static string Describe(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")));

    /// <summary>Null when the server would accept the body (strict parse, then the validator), else why not.</summary>
    private static string? ServerRefusal(byte[] document)
    {
        InfringementReport? report;
        try
        {
            report = JsonSerializer.Deserialize<InfringementReport>(document, ExchangeJson.Strict);
        }
        catch (JsonException exception)
        {
            return ExchangeJson.Describe(exception);
        }
        if (report is null)
        {
            return "null";
        }
        var result = Validator.Validate(report);
        return result.IsValid ? null : string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}"));
    }

    [Fact]
    public void Ships_examples_that_cover_every_category_family_and_every_target_type()
    {
        var reports = ExampleNames().Select(name => JsonSerializer.Deserialize<InfringementReport>(Example(name), ExchangeJson.Strict)!).ToList();

        Assert.Superset(new HashSet<ReportCategory>
        {
            ReportCategory.StreamRipping, ReportCategory.LiveSportsStreaming, ReportCategory.Cyberlocker, ReportCategory.Iptv,
            ReportCategory.MobileApp, ReportCategory.DesktopApp,
        }, reports.Select(r => r.Category).ToHashSet());
        Assert.Equal(Enum.GetValues<TargetType>().ToHashSet(), reports.SelectMany(r => r.Targets).Select(t => t.Type).ToHashSet());
        Assert.Contains(reports, r => r.LiveEvent is not null);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_is_valid_for_the_schema(string example)
    {
        var results = Evaluate(Example(example));

        Assert.True(results.IsValid, Describe(results));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_parses_strictly_and_passes_the_servers_validator(string example) =>
        Assert.Null(ServerRefusal(Example(example)));

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_is_accepted_by_a_running_exchange_when_signed(string example)
    {
        using var ifpi = new Partner(_server, "ifpi");

        using var response = await ifpi.SubmitAsync(Example(example));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void The_first_example_is_the_design_example()
    {
        var report = JsonSerializer.Deserialize<InfringementReport>(Example("stream-ripping.json"), ExchangeJson.Strict)!;

        Assert.Equal("IFPI-PE-2026-000123", report.ExternalId);
        Assert.Equal(["domain", "url", "ipv4", "ipv6", "mobile_app", "desktop_app"],
            report.Targets.Select(t => JsonSerializer.Serialize(t.Type).Trim('"')));
        Assert.Equal(["indecopi"], report.ShareWith);
    }

    public static TheoryData<string> ValidVariants() =>
    [
        "trailing-dot domain", "upper-case domain", "idn domain", "upper-case hex", "offset time", "fractional seconds",
        "null optional members", "absent optional members", "1000 targets", "url with port and query", "mobile app without name",
        "desktop app without url or hash", "line breaks in notes", "non-latin text",
    ];

    [Theory]
    [MemberData(nameof(ValidVariants))]
    public void Accepts_a_valid_variant_in_the_schema_and_in_the_server(string variant)
    {
        var document = Variant(variant);

        var schema = Evaluate(document);

        Assert.True(schema.IsValid, $"the schema refuses {variant}: {Describe(schema)}");
        Assert.Null(ServerRefusal(document));
    }

    private static byte[] Variant(string variant)
    {
        var report = JsonNode.Parse(Example("stream-ripping.json"))!.AsObject();
        var targets = report["targets"]!.AsArray();
        switch (variant)
        {
            case "trailing-dot domain": targets[0]!["value"] = "y2mate.example."; break;
            case "upper-case domain": targets[0]!["value"] = "Y2MATE.Example"; break;
            case "idn domain": targets[0]!["value"] = "bücher.example"; break;
            case "upper-case hex": report["evidence"]![0]!["sha256"] = new string('A', 64); break;
            case "offset time": report["observedAt"] = "2026-11-20T05:00:00-05:00"; break;
            case "fractional seconds": report["observedAt"] = "2026-11-20T10:00:00.1234567Z"; break;
            case "null optional members":
                foreach (var member in new[] { "works", "evidence", "liveEvent", "shareWith", "notes" })
                {
                    report[member] = null;
                }
                report["legalBasis"]!["orderReference"] = null;
                break;
            case "absent optional members":
                foreach (var member in new[] { "works", "evidence", "liveEvent", "shareWith", "notes" })
                {
                    report.Remove(member);
                }
                report["legalBasis"]!.AsObject().Remove("orderReference");
                break;
            case "1000 targets":
                report["targets"] = new JsonArray(Enumerable.Range(0, 1000).Select(i => (JsonNode)ReportBodies.Target("domain", $"m{i}.y2mate.example")).ToArray());
                break;
            case "url with port and query": targets[1]!["value"] = "https://y2mate.example:8443/es/youtube-mp3?v=abc#t=1"; break;
            case "mobile app without name": targets[4]!.AsObject().Remove("name"); break;
            case "desktop app without url or hash":
                targets[5]!.AsObject().Remove("downloadUrl");
                targets[5]!["sha256"] = null;
                break;
            case "line breaks in notes": report["notes"] = "First line.\r\nSecond line.\tTabbed."; break;
            case "non-latin text": report["works"]![0]!["title"] = "Песня · 歌 · أغنية"; break;
            default: throw new ArgumentOutOfRangeException(nameof(variant), variant, "no such variant");
        }
        return Encoding.UTF8.GetBytes(report.ToJsonString());
    }

    public static TheoryData<string> InvalidDocuments() =>
    [
        "missing targets", "no targets", "1001 targets", "unknown member", "null externalId", "blank externalId", "long externalId",
        "unknown category", "integer tlp", "time without offset", "private ipv4", "shorthand ipv4", "loopback ipv6", "bracketed ipv6",
        "single-label domain", "underscore in domain", "ftp url", "url with credentials", "app member on a domain",
        "mobile app without store", "desktop app without name", "bad isrc", "short sha256", "control character in notes",
        "uppercase recipient", "duplicate recipient", "empty shareWith", "unknown member in a target", "live event without name",
        "null target", "null work", "null evidence", "null recipient", "numeric domain", "domain over 253 characters",
        "domain label of 64", "domain label ending with a hyphen", "url to a single-label host",
    ];

    [Theory]
    [MemberData(nameof(InvalidDocuments))]
    public void Refuses_an_invalid_document_in_the_schema_and_in_the_server(string defect)
    {
        Assert.True(Evaluate(Example("stream-ripping.json")).IsValid);
        Assert.Null(ServerRefusal(Example("stream-ripping.json")));
        var document = Invalid(defect);

        var schema = Evaluate(document);
        var server = ServerRefusal(document);

        Assert.False(schema.IsValid, $"the schema accepts a document with {defect}");
        Assert.True(server is not null, $"the server accepts a document with {defect}");
    }

    private static byte[] Invalid(string defect)
    {
        var report = JsonNode.Parse(Example("stream-ripping.json"))!.AsObject();
        var targets = report["targets"]!.AsArray();
        switch (defect)
        {
            case "missing targets": report.Remove("targets"); break;
            case "no targets": targets.Clear(); break;
            case "1001 targets":
                report["targets"] = new JsonArray(Enumerable.Range(0, 1001).Select(i => (JsonNode)ReportBodies.Target("domain", $"m{i}.y2mate.example")).ToArray());
                break;
            case "unknown member": report["submitter"] = "indecopi"; break;
            case "null externalId": report["externalId"] = null; break;
            case "blank externalId": report["externalId"] = "   "; break;
            case "long externalId": report["externalId"] = new string('x', 101); break;
            case "unknown category": report["category"] = "piracy"; break;
            case "integer tlp": report["tlp"] = 2; break;
            case "time without offset": report["observedAt"] = "2026-11-20T10:00:00"; break;
            case "private ipv4": targets[2]!["value"] = "10.0.0.1"; break;
            case "shorthand ipv4": targets[2]!["value"] = "203.113.7"; break;
            case "loopback ipv6": targets[3]!["value"] = "::1"; break;
            case "bracketed ipv6": targets[3]!["value"] = "[2001:db8::7]"; break;
            case "single-label domain": targets[0]!["value"] = "localhost"; break;
            case "underscore in domain": targets[0]!["value"] = "y2_mate.example"; break;
            case "ftp url": targets[1]!["value"] = "ftp://y2mate.example/file.mp3"; break;
            case "url with credentials": targets[1]!["value"] = "https://user:secret@y2mate.example/"; break;
            case "app member on a domain": targets[0]!["appId"] = "com.example"; break;
            case "mobile app without store": targets[4]!.AsObject().Remove("store"); break;
            case "desktop app without name": targets[5]!.AsObject().Remove("name"); break;
            case "bad isrc": report["works"]![0]!["isrc"] = "PE-A01-23-00001"; break;
            case "short sha256": report["evidence"]![0]!["sha256"] = new string('a', 63); break;
            case "control character in notes": report["notes"] = "bell\u0007"; break;
            case "uppercase recipient": report["shareWith"] = new JsonArray("INDECOPI"); break;
            case "duplicate recipient": report["shareWith"] = new JsonArray("indecopi", "indecopi"); break;
            case "empty shareWith": report["shareWith"] = new JsonArray(); break;
            case "unknown member in a target": targets[0]!["port"] = 443; break;
            case "live event without name":
                report["liveEvent"] = new JsonObject { ["startsAt"] = "2026-11-22T20:00:00Z", ["endsAt"] = "2026-11-22T22:00:00Z" };
                break;
            case "null target": targets.Add(null); break;
            case "numeric domain": targets[0]!["value"] = "203.0.113.7"; break;
            case "domain over 253 characters": targets[0]!["value"] = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)); break;
            case "domain label of 64": targets[0]!["value"] = new string('a', 64) + ".example"; break;
            case "domain label ending with a hyphen": targets[0]!["value"] = "y2mate-.example"; break;
            case "url to a single-label host": targets[1]!["value"] = "https://intranet/"; break;
            case "null work": report["works"]!.AsArray().Add(null); break;
            case "null evidence": report["evidence"]!.AsArray().Add(null); break;
            case "null recipient": report["shareWith"]!.AsArray().Add(null); break;
            default: throw new ArgumentOutOfRangeException(nameof(defect), defect, "no such defect");
        }
        return Encoding.UTF8.GetBytes(report.ToJsonString());
    }

    public static TheoryData<string, Type> Enumerations() => new()
    {
        { "/properties/category", typeof(ReportCategory) },
        { "/properties/requestedAction", typeof(RequestedAction) },
        { "/properties/tlp", typeof(TrafficLightProtocol) },
        { "/$defs/target/properties/type", typeof(TargetType) },
        { "/$defs/target/allOf/5/then/properties/store", typeof(AppStore) },
        { "/$defs/evidence/properties/kind", typeof(EvidenceKind) },
    };

    [Theory]
    [MemberData(nameof(Enumerations))]
    public void Lists_exactly_the_wire_names_of_each_contract_enumeration(string pointer, Type enumeration)
    {
        var wireNames = enumeration.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name);

        var listed = SchemaNode(pointer)["enum"]!.AsArray().Select(v => v!.GetValue<string>());

        Assert.Equal(wireNames.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, Type> Objects() => new()
    {
        { "", typeof(InfringementReport) },
        { "/$defs/legalBasis", typeof(LegalBasis) },
        { "/$defs/target", typeof(ReportTarget) },
        { "/$defs/work", typeof(WorkReference) },
        { "/$defs/evidence", typeof(EvidenceItem) },
        { "/$defs/liveEvent", typeof(LiveEvent) },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Names_the_members_and_the_required_members_of_each_contract_record(string pointer, Type record)
    {
        var node = SchemaNode(pointer);
        var members = record.GetProperties().ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p);

        Assert.False(node["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(members.Keys.Order(StringComparer.Ordinal), node["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(
            members.Where(m => m.Value.GetCustomAttribute<System.Runtime.CompilerServices.RequiredMemberAttribute>() is not null)
                .Select(m => m.Key).Order(StringComparer.Ordinal),
            (node["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []).Order(StringComparer.Ordinal));
    }

    private static JsonNode SchemaNode(string pointer)
    {
        JsonNode node = JsonNode.Parse(File.ReadAllText(Path.Combine(ContractsFolder, "schemas", "report.v1.json")))!;
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = int.TryParse(segment, out var index) && node is JsonArray array ? array[index]! : node[segment]!;
        }
        return node;
    }
}
