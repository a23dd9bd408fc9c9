using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// RFC 3161 time-stamps on checkpoints when <c>Audit:TimestampAuthorityUrl</c> names a time-stamp authority: a third
/// party's signed statement that the checkpoint existed by then, which not even the holder of the exchange's key can
/// backdate. Optional: without an authority, or when it fails or is slow, the checkpoint is issued without one.
/// </summary>
internal sealed class CheckpointTimestamps(IHttpClientFactory http, AuditOptions options, ILogger<CheckpointTimestamps> logger)
{
    public const string HttpClientName = "timestamp-authority";

    /// <summary>The DER TimeStampToken over the checkpoint's ASCII bytes, or null.</summary>
    public async Task<byte[]?> StampAsync(string checkpointJws, CancellationToken cancellationToken)
    {
        if (options.TimestampAuthority is not { } authority)
        {
            return null;
        }
        var data = Encoding.ASCII.GetBytes(checkpointJws);
        var nonce = RandomNumberGenerator.GetBytes(8);
        nonce[0] = (byte)((nonce[0] & 0x7f) | 0x01);
        var request = Rfc3161TimestampRequest.CreateFromData(data, HashAlgorithmName.SHA256, requestedPolicyId: null, nonce, requestSignerCertificates: true);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.TimestampTimeout);
            using var content = new ByteArrayContent(request.Encode());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/timestamp-query");
            using var response = await http.CreateClient(HttpClientName).PostAsync(authority, content, timeout.Token);
            response.EnsureSuccessStatusCode();
            var token = request.ProcessResponse(await response.Content.ReadAsByteArrayAsync(timeout.Token), out _);
            if (!token.VerifySignatureForData(data, out _))
            {
                throw new CryptographicException("The time-stamp's signature does not verify.");
            }
            return token.AsSignedCms().Encode();
        }
        catch (Exception exception) when (exception is HttpRequestException or CryptographicException
                                          || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("Checkpoint issued without a time-stamp: the authority {Authority} failed ({Error})", authority, exception.Message);
            return null;
        }
    }
}
