using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Client.Http;
using IntelExchange.Client.Signing;
using IntelExchange.Contracts;

namespace IntelExchange.Cli.Submission;

/// <summary>A report file to send, and the name it is recorded under in the state file.</summary>
internal sealed record ReportFile(string Name, string Path);

[JsonConverter(typeof(JsonStringEnumConverter<FileOutcome>))]
internal enum FileOutcome
{
    /// <summary>The exchange stored it now.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>The exchange had stored it before (a run that stopped before recording it) and answered from its idempotency record.</summary>
    [JsonStringEnumMemberName("replayed")] Replayed,
    /// <summary>The state file says it was accepted already; not sent.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
    /// <summary>Refused, unreadable, or its receipt did not check out.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

internal sealed record FileResult(string File, FileOutcome Outcome)
{
    public Guid? ReportId { get; init; }
    public string? BodySha256 { get; init; }
    public DateTimeOffset? ReceivedAt { get; init; }
    public string? IdempotencyKey { get; init; }
    public IReadOnlyList<CaseSummary>? Cases { get; init; }
    public string? Receipt { get; init; }
    public ProblemView? Problem { get; init; }
    public string? Error { get; init; }
}

/// <summary>
/// Sends one report file. The idempotency key is derived from the SHA-256 of the bytes sent, so sending the same
/// bytes again (a re-run after a crash) can only ever get the original answer; each attempt is freshly signed, which
/// the exchange accepts because it matches a repeat by key and body hash before it looks at the jti.
/// </summary>
internal sealed class ReportFileSubmitter(IntelExchangeClient client, JsonWebKeySet jwks, SubmissionState state, IReadOnlyList<string>? shareWith)
{
    public const string KeyPrefix = "intelx-";

    /// <summary>Submits <paramref name="file"/>; a failure of the exchange to answer at all is thrown, every other failure is a result.</summary>
    public async Task<FileResult> SubmitAsync(ReportFile file, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = Prepare(await File.ReadAllBytesAsync(file.Path, cancellationToken));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            return new FileResult(file.Name, FileOutcome.Failed) { Error = exception.Message };
        }

        var bodySha256 = Convert.ToHexStringLower(SHA256.HashData(body));
        if (state.Find(file.Name, bodySha256) is { } done)
        {
            return new FileResult(file.Name, FileOutcome.Skipped) { ReportId = done.ReportId, BodySha256 = bodySha256, ReceivedAt = done.ReceivedAt, IdempotencyKey = done.IdempotencyKey };
        }

        ReportSubmission submission;
        try
        {
            submission = await client.SubmitReportAsync(body, KeyPrefix + bodySha256, cancellationToken);
        }
        catch (IntelExchangeProblemException problem)
        {
            return new FileResult(file.Name, FileOutcome.Failed) { BodySha256 = bodySha256, Problem = ProblemView.From(problem) };
        }

        var accepted = submission.Accepted;
        try
        {
            var receipt = Receipts.Verify(accepted.Receipt, jwks);
            if (receipt.ReportId != accepted.ReportId || receipt.BodySha256 != bodySha256 || receipt.Tenant != client.TenantId)
            {
                throw new CryptographicException($"the receipt vouches for report {receipt.ReportId} of {receipt.Tenant} with body {receipt.BodySha256}, not this file.");
            }
        }
        catch (CryptographicException exception)
        {
            return new FileResult(file.Name, FileOutcome.Failed) { ReportId = accepted.ReportId, BodySha256 = bodySha256, Error = "receipt: " + exception.Message };
        }

        state.Record(new SubmittedFile(file.Name, bodySha256, accepted.ReportId, accepted.ReceivedAt, submission.IdempotencyKey));
        return new FileResult(file.Name, submission.Replayed ? FileOutcome.Replayed : FileOutcome.Accepted)
        {
            ReportId = accepted.ReportId,
            BodySha256 = bodySha256,
            ReceivedAt = accepted.ReceivedAt,
            IdempotencyKey = submission.IdempotencyKey,
            Cases = accepted.Cases,
            Receipt = accepted.Receipt,
        };
    }

    /// <summary>The bytes to send: the file as it is, or with <c>shareWith</c> replaced when the command line names recipients.</summary>
    private byte[] Prepare(byte[] fileBytes)
    {
        if (shareWith is null)
        {
            return fileBytes;
        }
        var report = JsonNode.Parse(fileBytes) as JsonObject ?? throw new InvalidDataException("the file is not a JSON object.");
        report["shareWith"] = new JsonArray(shareWith.Select(agency => (JsonNode?)JsonValue.Create(agency)).ToArray());
        return Encoding.UTF8.GetBytes(report.ToJsonString());
    }
}
