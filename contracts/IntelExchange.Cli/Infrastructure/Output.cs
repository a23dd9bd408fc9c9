using System.Text.Json;
using IntelExchange.Client;
using IntelExchange.Client.Http;

namespace IntelExchange.Cli.Infrastructure;

/// <summary>Human text or JSON on stdout; diagnostics and problems for humans on stderr.</summary>
internal sealed class Output(bool json)
{
    private static readonly JsonSerializerOptions Indented = new(ClientJson.Options) { WriteIndented = true };

    public bool Json { get; } = json;

    public void Line(string text = "") => Console.Out.WriteLine(text);

    public void Error(string text) => Console.Error.WriteLine(text);

    /// <summary>A document, indented.</summary>
    public void Document<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>One JSON value on one line, for streams (JSON Lines).</summary>
    public void JsonLine<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, ClientJson.Options));

    public void Problem(IntelExchangeProblemException problem)
    {
        if (Json)
        {
            Document(ProblemView.From(problem));
            return;
        }
        foreach (var line in ProblemView.From(problem).Describe())
        {
            Error(line);
        }
    }
}

/// <summary>A problem as the CLI shows it, in text and in JSON.</summary>
internal sealed record ProblemView(int Status, string Type, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static ProblemView From(IntelExchangeProblemException problem) =>
        new((int)problem.Status, problem.Type, problem.Title, problem.Detail, problem.Errors);

    public IEnumerable<string> Describe(string indent = "")
    {
        yield return $"{indent}error: {Title} ({Status} {Type[(Type.LastIndexOf('/') + 1)..]})";
        if (Detail is not null)
        {
            yield return $"{indent}  {Detail}";
        }
        foreach (var (field, messages) in Errors)
        {
            foreach (var message in messages)
            {
                yield return $"{indent}  {field}: {message}";
            }
        }
    }

    public string OneLine() =>
        $"{Status} {Title}" + (Detail is null ? "" : " " + Detail) + string.Concat(Errors.Select(e => $" [{e.Key}: {string.Join("; ", e.Value)}]"));
}
