using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Callbacks;

internal static class CallbackSteps
{
    /// <summary>An exchange allowed to call the test receiver on loopback over plain http, with a short retry schedule.</summary>
    public static Dictionary<string, string?> LoopbackSettings(string retrySchedule = "00:00:01,00:00:01,00:00:02", string? graceHours = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Callbacks:AllowedHosts"] = "127.0.0.1",
            ["Callbacks:AllowInsecureHttp"] = "true",
            ["Callbacks:RetrySchedule"] = retrySchedule,
        };
        if (graceHours is not null)
        {
            settings["Callbacks:SecretRotationGraceHours"] = graceHours;
        }
        return settings;
    }

    public static Task<HttpResponseMessage> PutWebhookAsync(HttpClient client, string url) =>
        client.PutAsJsonAsync("/v1/partners/me/webhook", new { url });

    public static async Task<WebhookRegistered> RegisterAsync(HttpClient client, Uri url)
    {
        var response = await PutWebhookAsync(client, url.ToString());
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"registration answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<WebhookRegistered>())!;
    }

    /// <summary>Registers the receiver as the partner's webhook and makes the receiver trust the new secret.</summary>
    public static async Task<string> RegisterAsync(Partner partner, WebhookReceiver receiver)
    {
        var registered = await RegisterAsync(partner.Http, receiver.Url);
        receiver.TrustedSecrets.Add(registered.Secret);
        return registered.Secret;
    }

    public static async Task<IReadOnlyList<CallbackDeliveryItem>> DeliveriesAsync(HttpClient client, Guid caseId) =>
        (await client.GetFromJsonAsync<Page<CallbackDeliveryItem>>("/v1/partners/me/webhook/deliveries?limit=500"))!
        .Items.Where(d => d.CaseId == caseId).OrderBy(d => d.Sequence).ToList();

    public static Task<IReadOnlyList<CallbackDeliveryItem>> DeliveriesWhenAsync(
        HttpClient client, Guid caseId, Func<IReadOnlyList<CallbackDeliveryItem>, bool> done, string what, int seconds = 30) =>
        EventuallyAsync(() => DeliveriesAsync(client, caseId), done, TimeSpan.FromSeconds(seconds), what);

    public static Task<IReadOnlyList<ReceivedCallback>> VerifiedWhenAsync(
        WebhookReceiver receiver, Guid caseId, int count, string what, int seconds = 30) =>
        EventuallyAsync(
            () => Task.FromResult<IReadOnlyList<ReceivedCallback>>(receiver.Verified.Where(c => c.CaseId == caseId).ToList()),
            received => received.Count >= count, TimeSpan.FromSeconds(seconds), what);
}
