using System.Globalization;
using System.Net.Http.Json;
using IntelExchange.Contracts;

namespace IntelExchange.Client.Http;

/// <summary>Cases (agencies decide, submitters withdraw) and the submitter's callback webhook.</summary>
public sealed partial class IntelExchangeClient
{
    /// <summary><c>GET /v1/cases/{id}</c>: a case with its full history (its agency and the report's submitter only).</summary>
    public Task<CaseDetails> GetCaseAsync(Guid caseId, CancellationToken cancellationToken = default) =>
        GetAsync<CaseDetails>($"/v1/cases/{caseId}", cancellationToken);

    /// <summary>
    /// <c>POST /v1/cases/{id}/status</c> under <paramref name="idempotencyKey"/> (a new one when null). Retries resend the
    /// same bytes and key, so a move is made at most once; a replay of an accepted move returns the same case.
    /// </summary>
    public async Task<CaseDetails> UpdateCaseStatusAsync(
        Guid caseId, UpdateCaseStatusRequest move, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/cases/{caseId}/status")
        {
            Content = JsonContent.Create(move, options: ClientJson.Options),
        };
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, $"\"{idempotencyKey ?? Guid.NewGuid().ToString()}\"");
        using var response = await _http.SendAsync(request, cancellationToken);
        return await ReadAsync<CaseDetails>(response, cancellationToken);
    }

    /// <summary><c>PUT /v1/partners/me/webhook</c>: registers or changes the webhook; the answer holds the new secret, shown only now.</summary>
    public Task<WebhookRegistered> RegisterWebhookAsync(Uri url, CancellationToken cancellationToken = default) =>
        SendJsonAsync<WebhookRegistered>(HttpMethod.Put, "/v1/partners/me/webhook", new RegisterWebhookRequest { Url = url.AbsoluteUri }, cancellationToken);

    /// <summary><c>GET /v1/partners/me/webhook</c>: the registered webhook, without its secret.</summary>
    public Task<WebhookDetails> GetWebhookAsync(CancellationToken cancellationToken = default) =>
        GetAsync<WebhookDetails>("/v1/partners/me/webhook", cancellationToken);

    /// <summary><c>GET /v1/partners/me/webhook/deliveries</c>: one page of callback deliveries, oldest first.</summary>
    public Task<Page<CallbackDeliveryItem>> ListCallbackDeliveriesAsync(
        CallbackDeliveryStatus? status = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<CallbackDeliveryItem>>("/v1/partners/me/webhook/deliveries" + Query(
            ("status", status is null ? null : WireName(status.Value)), ("after", after), ("limit", limit?.ToString(CultureInfo.InvariantCulture))),
            cancellationToken);

    /// <summary><c>POST /v1/partners/me/webhook/deliveries/{id}/redeliver</c>: sends a delivery again, now.</summary>
    public Task<CallbackDeliveryItem> RedeliverCallbackAsync(Guid deliveryId, CancellationToken cancellationToken = default) =>
        SendJsonAsync<CallbackDeliveryItem>(HttpMethod.Post, $"/v1/partners/me/webhook/deliveries/{deliveryId}/redeliver", null, cancellationToken);
}
