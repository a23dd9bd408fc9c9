using System.Security.Cryptography;
using System.Text;

namespace IntelExchange.Api.Features.Callbacks;

/// <summary>Standard Webhooks symmetric secrets (<c>whsec_</c> + base64) and <c>v1</c> signatures.</summary>
internal static class WebhookSecrets
{
    public const string Prefix = "whsec_";

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The <c>webhook-signature</c> value: one <c>v1,&lt;base64 HMAC-SHA256&gt;</c> entry per secret, space-separated,
    /// over <c>id + "." + timestamp + "." + body</c> with the base64-decoded part of the secret as key.
    /// </summary>
    public static string Sign(IEnumerable<string> secrets, string webhookId, long timestamp, byte[] body)
    {
        byte[] content = [.. Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}."), .. body];
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), content))));
    }

    private static byte[] Key(string secret) => Convert.FromBase64String(secret[Prefix.Length..]);
}
