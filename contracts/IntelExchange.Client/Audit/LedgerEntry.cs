using System.Text.Json;
using System.Text.Json.Serialization;

namespace IntelExchange.Client.Audit;

/// <summary>A ledger entry as its exact bytes say (see <see cref="Contracts.AuditLedgerEntry"/> for the format).</summary>
public sealed record LedgerEntry
{
    /// <summary>Position from 0.</summary>
    public required long Index { get; init; }

    /// <summary>What changed, e.g. <c>report.accepted</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Who: a tenant id, or <c>exchange</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>What the entry is about.</summary>
    public required LedgerSubject Subject { get; init; }

    /// <summary>The tenants it concerns.</summary>
    public required IReadOnlyList<string> Parties { get; init; }

    /// <summary>What the change was; its members depend on <see cref="Kind"/>.</summary>
    public required JsonElement Details { get; init; }

    /// <summary>The entry hash of the entry before (64 zeros for entry 0), lower-case hex.</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Parses entry bytes; throws <see cref="JsonException"/> when they are not an entry.</summary>
    public static LedgerEntry Parse(ReadOnlySpan<byte> entry) =>
        JsonSerializer.Deserialize<LedgerEntry>(entry, Json) ?? throw new JsonException("The entry is null.");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

/// <summary>The subject of a ledger entry.</summary>
/// <param name="Type">report, case, tenant, agreement…</param>
/// <param name="Id">Its id.</param>
public sealed record LedgerSubject(string Type, string Id);
