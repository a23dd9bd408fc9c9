using System.Text.RegularExpressions;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>One shipped data file, parsed.</summary>
internal sealed record ShippedList(string Name, string Owner, string Source, IReadOnlyList<ProtectedRule> Rules)
{
    public ShippedProtectedList ToSummary() => new()
    {
        Name = Name,
        Owner = Owner,
        Source = Source,
        Domains = Rules.Count(r => r.Kind == ProtectedEntryKind.Domain),
        Ranges = Rules.Count(r => r.Kind == ProtectedEntryKind.Cidr),
    };
}

/// <summary>
/// The protected lists shipped as data files in <c>Features/Safeguards/Data</c>: <c>*.cidr.txt</c> (one range a line,
/// <c># owner:</c> and <c># source:</c> in the header) and <c>*.domains.txt</c> (a suffix and its owner a line). A file
/// that does not parse stops the exchange at startup: running without its safeguards would be worse than not running.
/// </summary>
internal static partial class ShippedLists
{
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "Features", "Safeguards", "Data");

    public static IReadOnlyList<ShippedList> Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"The protected-infrastructure lists are missing: no folder {folder}.");
        }
        var lists = Directory.GetFiles(folder, "*.txt").Order(StringComparer.Ordinal).Select(Parse).ToList();
        if (lists.Count == 0)
        {
            throw new InvalidOperationException($"The protected-infrastructure lists are missing: {folder} holds no list.");
        }
        return lists;
    }

    public static ShippedList Parse(string path)
    {
        var fileName = Path.GetFileName(path);
        var isDomains = fileName.EndsWith(".domains.txt", StringComparison.Ordinal);
        if (!isDomains && !fileName.EndsWith(".cidr.txt", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path}: a list is named *.cidr.txt or *.domains.txt.");
        }
        var name = fileName[..fileName.IndexOf('.', StringComparison.Ordinal)];
        string? owner = null;
        var source = new List<string>();
        var rules = new List<ProtectedRule>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                var header = HeaderPattern().Match(line);
                if (header.Success && header.Groups[1].Value == "owner")
                {
                    owner = header.Groups[2].Value.Trim();
                }
                else if (header.Success && header.Groups[1].Value == "source")
                {
                    source.Add(header.Groups[2].Value.Trim());
                }
                continue;
            }
            rules.Add(isDomains ? ParseDomainLine(path, lineNumber, line, name) : ParseRangeLine(path, lineNumber, line, name, owner));
        }
        if (source.Count == 0)
        {
            throw new InvalidOperationException($"{path}: the header must name its source (# source: ...).");
        }
        return new ShippedList(name, owner ?? string.Join(", ", rules.Select(r => r.Owner).Distinct()), string.Join(" ", source), rules);
    }

    private static ProtectedRule ParseDomainLine(string path, int lineNumber, string line, string list)
    {
        var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
        var suffix = ProtectedInfrastructure.NormalizeHost(parts[0]);
        if (suffix is null || parts.Length < 2)
        {
            throw new InvalidOperationException($"{path}:{lineNumber}: expected a domain suffix and its owner.");
        }
        return new ProtectedRule(ProtectedEntryKind.Domain, suffix, parts[1].Trim(), list);
    }

    private static ProtectedRule ParseRangeLine(string path, int lineNumber, string line, string list, string? owner)
    {
        var (range, error) = ProtectedInfrastructure.ParseRange(line);
        if (range is null || owner is null)
        {
            throw new InvalidOperationException($"{path}:{lineNumber}: {error ?? "the header must name the owner (# owner: ...) before the ranges"}.");
        }
        return new ProtectedRule(ProtectedEntryKind.Cidr, range.Value.ToString(), owner, list);
    }

    [GeneratedRegex(@"^#\s*(owner|source):\s*(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderPattern();
}
