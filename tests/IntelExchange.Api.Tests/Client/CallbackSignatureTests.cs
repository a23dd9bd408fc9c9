using System.Security.Cryptography;
using System.Text;
using IntelExchange.Client.Callbacks;

namespace IntelExchange.Api.Tests.Client;

public sealed class CallbackSignatureTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(Key);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000);
    private const string WebhookId = "msg_2Kd8xYJ4";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"type":"case.status_changed","timestamp":"2026-11-20T10:00:00Z","data":{"caseId":"c1","status":"under_review","sequence":2}}""");

    /// <summary>Computed here from the Standard Webhooks definition, independently of the code under test.</summary>
    private static string Expected(string id, long timestamp, byte[] body, byte[]? key = null)
    {
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key ?? Key, signed));
    }

    [Fact]
    public void Accepts_the_signature_computed_as_standard_webhooks_define_it()
    {
        var timestamp = Now.ToUnixTimeSeconds();

        Assert.True(CallbackSignature.Verify(Secret, WebhookId, timestamp.ToString(), Body, Expected(WebhookId, timestamp, Body), now: Now));
    }

    [Fact]
    public void Matches_a_published_standard_webhooks_test_vector()
    {
        // The example of the Standard Webhooks specification's reference libraries.
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");

        Assert.True(CallbackSignature.Verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", now: DateTimeOffset.FromUnixTimeSeconds(1614265330)));
    }

    [Fact]
    public void Accepts_when_any_of_several_space_separated_signatures_matches_and_ignores_other_versions()
    {
        var timestamp = Now.ToUnixTimeSeconds();
        var header = $"v1a,bm90IGEgdjEgc2lnbmF0dXJl {Expected(WebhookId, timestamp, Body, new byte[32])} {Expected(WebhookId, timestamp, Body)}";

        Assert.True(CallbackSignature.Verify(Secret, WebhookId, timestamp.ToString(), Body, header, now: Now));
    }

    [Fact]
    public void Refuses_a_tampered_body_id_or_timestamp_or_another_secret()
    {
        var timestamp = Now.ToUnixTimeSeconds();
        var signature = Expected(WebhookId, timestamp, Body);
        var tampered = Body.ToArray();
        tampered[^3] ^= 0x01;
        var otherSecret = "whsec_" + Convert.ToBase64String(new byte[32]);

        Assert.False(CallbackSignature.Verify(Secret, WebhookId, timestamp.ToString(), tampered, signature, now: Now));
        Assert.False(CallbackSignature.Verify(Secret, WebhookId + "x", timestamp.ToString(), Body, signature, now: Now));
        Assert.False(CallbackSignature.Verify(Secret, WebhookId, (timestamp + 1).ToString(), Body, signature, now: Now));
        Assert.False(CallbackSignature.Verify(otherSecret, WebhookId, timestamp.ToString(), Body, signature, now: Now));
        Assert.False(CallbackSignature.Verify(Secret, WebhookId, timestamp.ToString(), Body, signature.Replace("v1,", "v2,", StringComparison.Ordinal), now: Now));
        Assert.False(CallbackSignature.Verify(Secret, WebhookId, timestamp.ToString(), Body, "v1,not-base64!", now: Now));
    }

    [Fact]
    public void Refuses_a_timestamp_more_than_five_minutes_old_or_ahead_even_with_a_valid_signature()
    {
        var stale = Now.AddMinutes(-5).AddSeconds(-1).ToUnixTimeSeconds();
        var ahead = Now.AddMinutes(5).AddSeconds(1).ToUnixTimeSeconds();
        var edge = Now.AddMinutes(-5).ToUnixTimeSeconds();

        Assert.False(CallbackSignature.Verify(Secret, WebhookId, stale.ToString(), Body, Expected(WebhookId, stale, Body), now: Now));
        Assert.False(CallbackSignature.Verify(Secret, WebhookId, ahead.ToString(), Body, Expected(WebhookId, ahead, Body), now: Now));
        Assert.True(CallbackSignature.Verify(Secret, WebhookId, edge.ToString(), Body, Expected(WebhookId, edge, Body), now: Now));
        Assert.False(CallbackSignature.Verify(Secret, WebhookId, "soon", Body, Expected(WebhookId, stale, Body), now: Now));
    }
}
