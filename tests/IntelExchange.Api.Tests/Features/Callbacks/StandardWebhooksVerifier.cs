using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IntelExchange.Api.Tests.Features.Callbacks;

/// <summary>
/// The receiver's side of Standard Webhooks, written from the specification and independently of the exchange's code:
/// HMAC-SHA256 over <c>id.timestamp.body</c> with the base64-decoded secret, compared in constant time against each
/// <c>v1,</c> entry of <c>webhook-signature</c>, and a timestamp within the tolerance.
/// </summary>
internal static class StandardWebhooksVerifier
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Which of the space-separated signature entries verify with <paramref name="secret"/> (their indexes).</summary>
    public static IReadOnlyList<int> MatchingEntries(string secret, string webhookId, string timestamp, string signatureHeader, byte[] body)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return [];
        }

        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        using var hmac = new HMACSHA256(key);
        var expected = hmac.ComputeHash([.. Encoding.UTF8.GetBytes(webhookId + "." + timestamp + "."), .. body]);

        var matches = new List<int>();
        var entries = signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < entries.Length; i++)
        {
            var comma = entries[i].IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || entries[i][..comma] != "v1")
            {
                continue;
            }
            var signature = TryBase64(entries[i][(comma + 1)..]);
            if (signature is not null && CryptographicOperations.FixedTimeEquals(signature, expected))
            {
                matches.Add(i);
            }
        }
        return matches;
    }

    private static byte[]? TryBase64(string value)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
