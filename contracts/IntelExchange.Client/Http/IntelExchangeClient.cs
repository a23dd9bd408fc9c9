using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Client.Http;

/// <summary>
/// A typed client for the IntelExchange partner API over mutual TLS. It signs the exact bytes it sends (detached JWS),
/// sends every report with an <c>Idempotency-Key</c>, and retries transient failures with the same bytes, signature and
/// key, so a retry can never create a second report. Refusals surface as <see cref="IntelExchangeProblemException"/>.
/// Thread-safe; keep one per tenant.
/// </summary>
public sealed partial class IntelExchangeClient : IDisposable
{
    private const string SignatureHeader = "X-JWS-Signature";
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    private readonly HttpClient _http;
    private readonly X509Certificate2 _clientCertificate;
    private readonly bool _ownsClientCertificate;
    private readonly X509Certificate2? _serverCa;
    private readonly ECDsa? _signingKey;
    private readonly bool _ownsSigningKey;
    private readonly string? _signingKeyId;
    private readonly Lock _signingLock = new();

    /// <summary>Loads the certificates and keys named in <paramref name="options"/>.</summary>
    public IntelExchangeClient(IntelExchangeClientOptions options)
    {
        TenantId = options.TenantId;
        _ownsClientCertificate = options.ClientCertificate is null;
        _clientCertificate = options.ClientCertificate ?? LoadClientCertificate(
            options.ClientCertificatePath ?? throw new ArgumentException("A client certificate or its PEM path is required.", nameof(options)),
            options.ClientKeyPath);
        _serverCa = options.ServerCaPath is null ? null : X509CertificateLoader.LoadCertificateFromFile(options.ServerCaPath);

        if (options.SigningKeyPath is not null)
        {
            _signingKey = ECDsa.Create();
            _signingKey.ImportFromPem(File.ReadAllText(options.SigningKeyPath));
            _ownsSigningKey = true;
        }
        else
        {
            _signingKey = options.SigningKey;
        }
        if (_signingKey is not null && _signingKey.KeySize != 256)
        {
            throw new ArgumentException("The signing key must be an EC P-256 key (ES256).", nameof(options));
        }
        _signingKeyId = options.SigningKeyId ?? (_signingKey is null ? null : DetachedJws.KeyId(_signingKey.ExportParameters(false)));

        _http = new HttpClient(ExchangeTransport.Create(options, _clientCertificate, _serverCa))
        {
            BaseAddress = options.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // the resilience pipeline holds the timeouts
        };
    }

    /// <summary>The tenant this client speaks for.</summary>
    public string TenantId { get; }

    /// <summary>The client certificate presented to the exchange.</summary>
    public X509Certificate2 ClientCertificate => _clientCertificate;

    /// <summary>The key id put in every signature, or null when the client has no signing key.</summary>
    public string? SigningKeyId => _signingKeyId;

    /// <summary><c>GET /v1/partners/me</c>: who the client certificate identifies.</summary>
    public Task<PartnerIdentity> GetIdentityAsync(CancellationToken cancellationToken = default) =>
        GetAsync<PartnerIdentity>("/v1/partners/me", cancellationToken);

    /// <summary><c>GET /.well-known/jwks.json</c>: the exchange's public keys, to verify receipts.</summary>
    public Task<JsonWebKeySet> GetJwksAsync(CancellationToken cancellationToken = default) =>
        GetAsync<JsonWebKeySet>("/.well-known/jwks.json", cancellationToken);

    /// <summary>Serialises <paramref name="report"/> and submits those bytes.</summary>
    public Task<ReportSubmission> SubmitReportAsync(InfringementReport report, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        SubmitReportAsync(JsonSerializer.SerializeToUtf8Bytes(report, ClientJson.Options), idempotencyKey, cancellationToken);

    /// <summary>
    /// <c>POST /v1/reports</c> with <paramref name="exactBody"/> as sent, signed, under <paramref name="idempotencyKey"/>
    /// (a new one when null). Submitting the same body under the same key again, even with a fresh signature, gets the
    /// original answer (<see cref="ReportSubmission.Replayed"/>) rather than a second report.
    /// </summary>
    public async Task<ReportSubmission> SubmitReportAsync(byte[] exactBody, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var key = idempotencyKey ?? Guid.NewGuid().ToString();
        var signature = Sign(exactBody);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports") { Content = new ByteArrayContent(exactBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, $"\"{key}\"");

        using var response = await _http.SendAsync(request, cancellationToken);
        var accepted = await ReadAsync<ReportAccepted>(response, cancellationToken);
        var replayed = response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Contains("true", StringComparer.OrdinalIgnoreCase);
        return new ReportSubmission(accepted, key, replayed);
    }

    /// <summary><c>GET /v1/reports/{id}</c>: a report of the caller's, or one shared with it as an agency.</summary>
    public Task<ReportDetails> GetReportAsync(Guid reportId, CancellationToken cancellationToken = default) =>
        GetAsync<ReportDetails>($"/v1/reports/{reportId}", cancellationToken);

    /// <summary><c>GET /v1/reports</c>: one page of the caller's own reports; pass <see cref="Page{T}.Next"/> as <paramref name="after"/>.</summary>
    public Task<Page<ReportListItem>> ListReportsAsync(ReportStatus? status = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<ReportListItem>>("/v1/reports" + Query(("status", status is null ? null : WireName(status.Value)), ("after", after), ("limit", limit?.ToString(CultureInfo.InvariantCulture))), cancellationToken);

    /// <summary><c>GET /v1/intel</c>: one page of the cases shared with the calling agency, in delivery order.</summary>
    public Task<Page<IntelItem>> GetIntelFeedAsync(string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<IntelItem>>("/v1/intel" + Query(("after", after), ("limit", limit?.ToString(CultureInfo.InvariantCulture))), cancellationToken);

    /// <summary>
    /// <c>GET /v1/stats</c>: counts over the cases opened in [<paramref name="from"/>, <paramref name="to"/>) that the caller
    /// may see, grouped by <c>category</c>, <c>status</c>, <c>agency</c> or <c>month</c> (the exchange's defaults when null).
    /// </summary>
    public Task<ExchangeStats> GetStatsAsync(DateTimeOffset? from = null, DateTimeOffset? to = null, string? groupBy = null, CancellationToken cancellationToken = default) =>
        GetAsync<ExchangeStats>("/v1/stats" + Query(("from", Instant(from)), ("to", Instant(to)), ("groupBy", groupBy)), cancellationToken);

    /// <summary>
    /// Follows the intel feed from <paramref name="after"/> until cancelled: pages through what is there, then polls every
    /// <paramref name="pollInterval"/>. Each entry carries a cursor to resume from after a restart; resuming may deliver
    /// some items again (at least once), so handle them idempotently by case id.
    /// </summary>
    public async IAsyncEnumerable<IntelFeedEntry> FollowIntelFeedAsync(
        string? after = null, TimeSpan? pollInterval = null, int? limit = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromSeconds(5);
        var cursor = after;
        while (true)
        {
            var page = await GetIntelFeedAsync(cursor, limit, cancellationToken);
            for (var i = 0; i < page.Items.Count; i++)
            {
                var last = i == page.Items.Count - 1;
                yield return new IntelFeedEntry(page.Items[i], last ? page.Next : cursor);
            }
            // An empty page has no next cursor: the position stays where it is.
            cursor = page.Next ?? cursor;
            if (page.Items.Count == 0)
            {
                await Task.Delay(interval, cancellationToken);
            }
        }
    }

    /// <summary><c>GET /v1/audit/checkpoints/latest</c>: the latest signed checkpoint of the exchange's audit ledger.</summary>
    public Task<AuditCheckpoint> GetLatestCheckpointAsync(CancellationToken cancellationToken = default) =>
        GetAsync<AuditCheckpoint>("/v1/audit/checkpoints/latest", cancellationToken);

    /// <summary><c>GET /v1/audit/entries</c> (operators): one page of the ledger export, in index order.</summary>
    public Task<Page<AuditLedgerEntry>> ListAuditEntriesAsync(string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<AuditLedgerEntry>>("/v1/audit/entries" + Query(("after", after), ("limit", limit?.ToString(CultureInfo.InvariantCulture))), cancellationToken);

    /// <summary><c>GET /v1/audit/proofs/inclusion</c>: an entry the caller is party to, and its proof in the tree of <paramref name="treeSize"/> (default: the latest checkpoint's).</summary>
    public Task<AuditInclusionProof> GetInclusionProofAsync(long index, long? treeSize = null, CancellationToken cancellationToken = default) =>
        GetAsync<AuditInclusionProof>("/v1/audit/proofs/inclusion" + Query(("index", index.ToString(CultureInfo.InvariantCulture)),
            ("treeSize", treeSize?.ToString(CultureInfo.InvariantCulture))), cancellationToken);

    /// <summary><c>GET /v1/audit/proofs/consistency</c>: that the ledger of size <paramref name="from"/> is a prefix of the one of size <paramref name="to"/>.</summary>
    public Task<AuditConsistencyProof> GetConsistencyProofAsync(long from, long to, CancellationToken cancellationToken = default) =>
        GetAsync<AuditConsistencyProof>("/v1/audit/proofs/consistency" + Query(("from", from.ToString(CultureInfo.InvariantCulture)),
            ("to", to.ToString(CultureInfo.InvariantCulture))), cancellationToken);

    /// <summary><c>GET /v1/reports/{id}/evidence-bundle</c>: the zip to verify the report offline (see <see cref="Audit.EvidenceBundles"/>).</summary>
    public async Task<byte[]> GetEvidenceBundleAsync(Guid reportId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"/v1/reports/{reportId}/evidence-bundle", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await IntelExchangeProblemException.ReadAsync(response, cancellationToken);
        }
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>The verified payload of a receipt; throws <see cref="CryptographicException"/> if it does not verify against <paramref name="jwks"/>.</summary>
    public static ReceiptPayload VerifyReceipt(string receiptJws, JsonWebKeySet jwks) => Receipts.Verify(receiptJws, jwks);

    /// <summary>Disposes the HTTP handlers and what the client loaded itself.</summary>
    public void Dispose()
    {
        _http.Dispose();
        _serverCa?.Dispose();
        if (_ownsClientCertificate)
        {
            _clientCertificate.Dispose();
        }
        if (_ownsSigningKey)
        {
            _signingKey?.Dispose();
        }
    }

    private string Sign(byte[] body)
    {
        if (_signingKey is null || _signingKeyId is null)
        {
            throw new InvalidOperationException("This client has no signing key: set SigningKeyPath or SigningKey to submit reports.");
        }
        lock (_signingLock)
        {
            return DetachedJws.Sign(body, _signingKey, _signingKeyId, TenantId);
        }
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    /// <summary>Sends <paramref name="body"/> (if any) as JSON and reads the answer, or throws the problem.</summary>
    private async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ClientJson.Options);
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await IntelExchangeProblemException.ReadAsync(response, cancellationToken);
        }
        return await response.Content.ReadFromJsonAsync<T>(ClientJson.Options, cancellationToken)
            ?? throw new JsonException($"The exchange answered {(int)response.StatusCode} with an empty body.");
    }

    private static string? Instant(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join('&', present);
    }

    private static string WireName<TEnum>(TEnum value) where TEnum : struct, Enum =>
        JsonSerializer.Serialize(value, ClientJson.Options).Trim('"');

    private static X509Certificate2 LoadClientCertificate(string certificatePath, string? keyPath)
    {
        // Through PKCS#12 so the key is usable by SslStream on every platform (Windows refuses ephemeral PEM keys).
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}

/// <summary>The exchange's answer to a submission.</summary>
/// <param name="Accepted">The 202 body: report id, cases, receipt.</param>
/// <param name="IdempotencyKey">The key the report was sent under; send the same body under it again to get the same answer.</param>
/// <param name="Replayed">True when the exchange had already accepted this request and answered from its idempotency record.</param>
public sealed record ReportSubmission(ReportAccepted Accepted, string IdempotencyKey, bool Replayed);

/// <summary>An item of the intel feed, and where to resume following the feed so that nothing after it is missed.</summary>
/// <param name="Item">The case shared with the agency.</param>
/// <param name="ResumeAfter">Pass as <c>after</c> to continue after a restart (null: from the start).</param>
public sealed record IntelFeedEntry(IntelItem Item, string? ResumeAfter);
