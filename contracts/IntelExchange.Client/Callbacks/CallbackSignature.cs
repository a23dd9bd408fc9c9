using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IntelExchange.Client.Callbacks;

/// <summary>
/// Checks the signature on a callback from the exchange, as Standard Webhooks v1 defines it:
/// <c>webhook-signature: v1,BASE64(HMAC-SHA256(key, webhook-id + "." + webhook-timestamp + "." + body))</c>, where the key
/// is the base64-decoded part of the secret after <c>whsec_</c>.
/// </summary>
public static class CallbackSignature
{
    /// <summary>How far <c>webhook-timestamp</c> may be from now, either way, unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string SecretPrefix = "whsec_";

    /// <summary>
    /// True when one of the space-separated <c>v1,</c> signatures in <paramref name="signatureHeader"/> is the HMAC of
    /// this id, timestamp and exact body under <paramref name="secret"/>, and the timestamp is within
    /// <paramref name="tolerance"/> of <paramref name="now"/>. Other versions in the header are ignored.
    /// </summary>
    /// <param name="secret">The secret the exchange returned at registration, <c>whsec_…</c>.</param>
    /// <param name="webhookId">The <c>webhook-id</c> header.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header (unix seconds).</param>
    /// <param name="body">The request body exactly as received.</param>
    /// <param name="signatureHeader">The <c>webhook-signature</c> header.</param>
    /// <param name="tolerance">Allowed clock difference; default 5 minutes.</param>
    /// <param name="now">The current time; default the system clock.</param>
    public static bool Verify(string secret, string webhookId, string timestamp, ReadOnlySpan<byte> body, string signatureHeader,
        TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        var key = DecodeSecret(secret);
        if (string.IsNullOrEmpty(webhookId) || string.IsNullOrEmpty(signatureHeader)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        var age = (now ?? DateTimeOffset.UtcNow) - sentAt;
        if (age.Duration() > (tolerance ?? DefaultTolerance))
        {
            return false;
        }

        var prefix = Encoding.UTF8.GetBytes(webhookId + "." + timestamp + ".");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        var expected = hmac.GetHashAndReset();

        var matched = false;
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!candidate.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }
            var decoded = new byte[expected.Length];
            if (Convert.TryFromBase64String(candidate[3..], decoded, out var written) && written == expected.Length)
            {
                // Every candidate is compared in constant time, and the loop does not stop early on a match.
                matched |= CryptographicOperations.FixedTimeEquals(decoded, expected);
            }
        }
        return matched;
    }

    private static byte[] DecodeSecret(string secret)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            return Convert.FromBase64String(encoded);
        }
        catch (FormatException exception)
        {
            throw new ArgumentException("The callback secret is not whsec_ followed by base64.", nameof(secret), exception);
        }
    }
}
