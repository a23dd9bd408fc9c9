namespace IntelExchange.Api.Features.Safeguards;

/// <summary>
/// Domain suffixes in a trie of labels read from the right (<c>com → google → drive</c>), so a match is always
/// label-aligned: <c>google.com</c> matches <c>drive.usercontent.google.com</c> and never <c>notgoogle.com</c>. A lookup
/// costs one dictionary probe per label of the host, whatever the size of the list. Names must already be normalised
/// (ASCII/punycode, lower case, no trailing dot): see <see cref="ProtectedInfrastructure.NormalizeHost"/>.
/// </summary>
internal sealed class DomainSuffixTrie
{
    private readonly Node _root = new();

    public int Count { get; private set; }

    public void Add(string suffix, ProtectedRule rule)
    {
        var node = _root;
        foreach (var label in suffix.Split('.').Reverse())
        {
            if (!node.Children.TryGetValue(label, out var child))
            {
                child = new Node();
                node.Children.Add(label, child);
            }
            node = child;
        }
        node.Rules ??= [];
        node.Rules.Add(rule);
        Count++;
    }

    /// <summary>Adds to <paramref name="matches"/> every rule whose suffix is the host or a parent of it, shortest first.</summary>
    public void Match(ReadOnlySpan<char> host, List<ProtectedRule> matches)
    {
        var node = _root;
        var end = host.Length;
        while (end > 0)
        {
            var dot = host[..end].LastIndexOf('.');
            var label = host[(dot + 1)..end];
            if (!node.Children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(label, out var child))
            {
                return;
            }
            node = child;
            if (node.Rules is not null)
            {
                matches.AddRange(node.Rules);
            }
            end = dot < 0 ? 0 : dot;
        }
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);
        public List<ProtectedRule>? Rules { get; set; }
    }
}
