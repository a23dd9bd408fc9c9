using System.Net;
using System.Net.Sockets;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>
/// CIDR ranges in a binary (radix-2) prefix trie, one per address family: a lookup walks at most 32 or 128 bits of the
/// address and collects every range on the way, so its cost does not grow with the number of ranges. IPv4-mapped IPv6
/// addresses (<c>::ffff:104.16.0.1</c>) are looked up as the IPv4 address they are.
/// </summary>
internal sealed class AddressPrefixTrie
{
    private readonly Node _v4 = new();
    private readonly Node _v6 = new();

    public int Count { get; private set; }

    public void Add(IPNetwork range, ProtectedRule rule)
    {
        var bytes = range.BaseAddress.GetAddressBytes();
        var node = Root(range.BaseAddress);
        for (var bit = 0; bit < range.PrefixLength; bit++)
        {
            node = BitAt(bytes, bit) ? node.One ??= new Node() : node.Zero ??= new Node();
        }
        node.Rules ??= [];
        node.Rules.Add(rule);
        Count++;
    }

    /// <summary>Adds to <paramref name="matches"/> every range that holds the address, widest first.</summary>
    public void Match(IPAddress address, List<ProtectedRule> matches)
    {
        address = Canonical(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        Node? node = Root(address);
        for (var bit = 0; node is not null; bit++)
        {
            if (node.Rules is not null)
            {
                matches.AddRange(node.Rules);
            }
            if (bit == length * 8)
            {
                return;
            }
            node = BitAt(bytes, bit) ? node.One : node.Zero;
        }
    }

    public static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private Node Root(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? _v4 : _v6;

    private static bool BitAt(ReadOnlySpan<byte> bytes, int bit) => (bytes[bit >> 3] & (0x80 >> (bit & 7))) != 0;

    private sealed class Node
    {
        public Node? Zero { get; set; }
        public Node? One { get; set; }
        public List<ProtectedRule>? Rules { get; set; }
    }
}
