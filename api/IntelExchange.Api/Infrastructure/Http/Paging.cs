using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using IntelExchange.Api.Security.Signing;

namespace IntelExchange.Api.Infrastructure.Http;

/// <summary>
/// Opaque cursors: the position plus a MAC under a key every instance shares, so a cursor survives restarts and a forged
/// or altered one is a 400, never a query on someone else's position.
/// </summary>
internal sealed class Paging(ExchangeSigningKey key)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public const int MaxCursorLength = 512;

    public static int ParseLimit(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => limit.Value,
        _ => throw new ProblemException(Problems.InvalidQuery, $"limit must be between 1 and {MaxLimit}."),
    };

    public string Encode(string kind, string position)
    {
        var payload = Encoding.UTF8.GetBytes(kind + ":" + position);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(Mac(payload));
    }

    /// <summary>The position inside a cursor of this kind, or null when no cursor was given.</summary>
    public string? Decode(string kind, string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (cursor.Length > MaxCursorLength || dot <= 0)
        {
            throw new ProblemException(Problems.InvalidCursor);
        }
        try
        {
            var payload = Base64Url.DecodeFromChars(cursor.AsSpan(0, dot));
            var mac = Base64Url.DecodeFromChars(cursor.AsSpan(dot + 1));
            var text = Encoding.UTF8.GetString(payload);
            if (!CryptographicOperations.FixedTimeEquals(mac, Mac(payload)) || !text.StartsWith(kind + ":", StringComparison.Ordinal))
            {
                throw new ProblemException(Problems.InvalidCursor);
            }
            return text[(kind.Length + 1)..];
        }
        catch (FormatException)
        {
            throw new ProblemException(Problems.InvalidCursor);
        }
    }

    private byte[] Mac(byte[] payload) => HMACSHA256.HashData(key.CursorKey, payload).AsSpan(0, 16).ToArray();
}
