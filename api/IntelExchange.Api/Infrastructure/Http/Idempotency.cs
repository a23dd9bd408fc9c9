using System.Collections.Concurrent;
using IntelExchange.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Infrastructure.Http;

/// <summary>The stored answer to an idempotent request, given again on a replay.</summary>
public sealed record IdempotentResponse(int StatusCode, byte[] Body, string? Location, bool Replayed);

/// <summary>
/// <c>Idempotency-Key</c> (draft-ietf-httpapi-idempotency-key-header) scoped by (tenant, key): a completed duplicate gets
/// the stored answer, another request under the same key gets 422, a duplicate still in flight on this instance gets 409.
/// A duplicate racing on another instance waits on the unique key and then replays.
/// </summary>
internal sealed class IdempotencyGuard
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxKeyLength = 255;
    private readonly ConcurrentDictionary<(string Tenant, string Key), byte> _inFlight = new();

    /// <summary>Reads the key, quoted (an RFC 8941 sf-string) or bare.</summary>
    public static string ParseKey(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            throw new ProblemException(Problems.IdempotencyKeyMissing);
        }
        var key = header.Length >= 2 && header[0] == '"' && header[^1] == '"' ? header[1..^1] : header;
        if (key.Length is 0 or > MaxKeyLength || key.Any(c => c is < (char)0x21 or > (char)0x7E or '"' or '\\'))
        {
            throw new ProblemException(Problems.IdempotencyKeyInvalid, $"The key must be 1 to {MaxKeyLength} visible ASCII characters.");
        }
        return key;
    }

    public InFlight Enter(string tenant, string key)
    {
        if (!_inFlight.TryAdd((tenant, key), 0))
        {
            throw new ProblemException(Problems.IdempotencyKeyInFlight);
        }
        return new InFlight(this, (tenant, key));
    }

    /// <summary>The stored answer if this exact request was completed before; 422 if the key was used for another request.</summary>
    public static async Task<IdempotentResponse?> FindReplayAsync(
        ExchangeDb db, string tenant, string key, string operation, string requestSha256, CancellationToken cancellationToken)
    {
        var record = await db.IdempotencyRecords.AsNoTracking()
            .SingleOrDefaultAsync(r => r.TenantId == tenant && r.Key == key, cancellationToken);
        if (record is null)
        {
            return null;
        }
        if (record.Operation != operation || record.RequestSha256 != requestSha256)
        {
            throw new ProblemException(Problems.IdempotencyKeyReused);
        }
        return new IdempotentResponse(record.StatusCode, record.ResponseBody, record.Location, Replayed: true);
    }

    public readonly struct InFlight(IdempotencyGuard guard, (string, string) slot) : IDisposable
    {
        public void Dispose() => guard._inFlight.TryRemove(slot, out _);
    }
}
