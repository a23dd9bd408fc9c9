using System.Text.Json;
using System.Text.Json.Nodes;
using IntelExchange.Api.Tests.Support;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace IntelExchange.Api.Tests.Deploy;

/// <summary>
/// The files under deploy/ as data: YAML (every document, merge keys resolved) and JSON become JSON trees, so tests
/// can check the facts in them. Scalars stay strings, as YAML wrote them.
/// </summary>
internal static class DeployFiles
{
    public static string Root => Path.Combine(ExternalProcess.RepositoryRoot(), "deploy");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    public static IReadOnlyList<JsonObject> Yaml(string relative)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new MergingParser(new Parser(new StringReader(Text(relative))));
        parser.Consume<StreamStart>();
        var documents = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = deserializer.Deserialize(parser);
            if (document is not null)
            {
                documents.Add(JsonSerializer.SerializeToNode(document)!.AsObject());
            }
        }
        return documents;
    }

    public static JsonObject Json(string relative) => JsonNode.Parse(Text(relative))!.AsObject();

    /// <summary>The Kubernetes object of that kind and name, from any manifest under deploy/k8s.</summary>
    public static JsonObject Kubernetes(string kind, string name) =>
        Assert.Single(KubernetesObjects(), o => (string?)o["kind"] == kind && (string?)o["metadata"]!["name"] == name);

    public static IEnumerable<JsonObject> KubernetesObjects() =>
        Directory.GetFiles(PathOf("k8s"), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Yaml(Path.Combine("k8s", Path.GetFileName(f))));

    public static IEnumerable<JsonNode> Items(this JsonNode? node) => node?.AsArray().Select(n => n!) ?? [];

    public static string Str(this JsonNode? node) => node?.GetValue<string>() ?? throw new InvalidOperationException("missing value");
}
