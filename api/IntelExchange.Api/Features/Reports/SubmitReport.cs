using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FluentValidation;
using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.Messaging;
using IntelExchange.Api.Security;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.Signing;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Reports;

/// <summary>A signed report as received: the exact body bytes, what they parse to, and the headers that vouch for them.</summary>
internal sealed record SubmitReport(Caller Caller, byte[] Body, InfringementReport Report, string? Signature, string IdempotencyKey)
    : IRequest<IdempotentResponse>;

internal sealed class SubmitReportValidator : AbstractValidator<SubmitReport>
{
    public SubmitReportValidator(InfringementReportValidator report) => RuleFor(c => c.Report).SetValidator(report);
}

internal sealed class SubmitReportHandler(
    ExchangeDb db,
    DetachedJwsVerifier verifier,
    TenantDirectory directory,
    IdempotencyGuard idempotency,
    ExchangeSigningKey exchangeKey,
    Outbox outbox,
    TargetQuota quota,
    TargetScreening screening,
    AuditLedger ledger,
    TimeProvider clock,
    ILogger<SubmitReportHandler> logger) : IRequestHandler<SubmitReport, IdempotentResponse>
{
    public const string Operation = "POST /v1/reports";

    public async ValueTask<IdempotentResponse> Handle(SubmitReport command, CancellationToken cancellationToken)
    {
        var tenant = command.Caller.TenantId;
        var bodySha256 = Convert.ToHexStringLower(SHA256.HashData(command.Body));
        using var inFlight = idempotency.Enter(tenant, command.IdempotencyKey);

        // The happy path costs no idempotency lookup: the record is inserted with the report, and a duplicate is found
        // by its unique key. A retry of an accepted request that would now be refused (its signature gone stale, an
        // agreement removed, the quota lowered) is found here, and gets its stored answer.
        VerifiedSignature signature;
        List<string> recipients;
        long dailyTargets;
        var receivedAt = clock.GetUtcNow();
        var targetCount = command.Report.Targets.Count;
        try
        {
            signature = verifier.Verify(command.Signature, command.Body, tenant);
            recipients = ResolveRecipients(command.Report, tenant);
            dailyTargets = quota.Check(tenant, targetCount, receivedAt);
        }
        catch (ProblemException)
        {
            var replay = await IdempotencyGuard.FindReplayAsync(db, tenant, command.IdempotencyKey, Operation, bodySha256, cancellationToken);
            if (replay is not null)
            {
                return replay;
            }
            throw;
        }
        var screened = screening.Check(command.Report);
        var checks = screened.Select(t => t.ToCheck()).ToList();
        var duplicates = await TargetScreening.FindDuplicatesAsync(db, screened, recipients, cancellationToken);

        var reportId = Guid.CreateVersion7(receivedAt);
        var receipt = exchangeKey.SignCompact(new ReceiptPayload(reportId, tenant, bodySha256, signature.Jti, receivedAt), "intelx-receipt+jws");
        var report = new ReportRecord
        {
            Id = reportId,
            TenantId = tenant,
            ExternalId = command.Report.ExternalId,
            Category = command.Report.Category,
            Status = ReportStatus.Received,
            ReceivedAt = receivedAt,
            Body = command.Body,
            Jws = command.Signature!,
            BodySha256 = bodySha256,
            Kid = signature.Kid,
            Jti = signature.Jti,
            ClientCertificateThumbprint = command.Caller.CertificateThumbprint,
            Receipt = receipt,
            LiveEventEndsAt = command.Report.Category == ReportCategory.LiveSportsStreaming ? command.Report.LiveEvent?.EndsAt : null,
        };
        db.Reports.Add(report);
        var targetRows = new TargetRows();
        targetRows.AddTargets(reportId, screened);

        var signerPem = directory.Current.Keys[signature.Kid].PublicKeyPem;
        var cases = new List<CaseSummary>(recipients.Count);
        foreach (var agency in recipients)
        {
            var caseRecord = new CaseRecord
            {
                Id = Guid.CreateVersion7(receivedAt),
                ReportId = reportId,
                AgencyId = agency,
                ReporterId = tenant,
                Status = CaseStatus.Received,
                Sequence = 1,
                CreatedAt = receivedAt,
                UpdatedAt = receivedAt,
                TargetCount = screened.Count,
                FlaggedTargets = screened.Count(t => t.Flags.Count > 0),
                DuplicateTargets = duplicates[agency].Count,
                OpenedMonth = receivedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            };
            db.Cases.Add(caseRecord);
            var links = targetRows.Link(caseRecord.Id, duplicates[agency]);
            db.CaseEvents.Add(new CaseEvent
            {
                Id = Guid.CreateVersion7(receivedAt),
                CaseId = caseRecord.Id,
                Sequence = 1,
                Status = CaseStatus.Received,
                Actor = tenant,
                OccurredAt = receivedAt,
            });
            outbox.Enqueue(db, agency, new ReportShared
            {
                CaseId = caseRecord.Id,
                ReportId = reportId,
                Agency = agency,
                Submitter = tenant,
                ReceivedAt = receivedAt,
                Report = command.Report,
                SignedBody = command.Body,
                Signature = command.Signature!,
                SignerPublicKeyPem = signerPem,
                BodySha256 = bodySha256,
                TargetChecks = checks,
                CaseTargets = CaseTargetViews.Outcomes(caseRecord, links, agency),
            });
            cases.Add(new CaseSummary
            {
                CaseId = caseRecord.Id,
                Agency = agency,
                Status = CaseStatus.Received,
                Targets = CaseTargetViews.Outcomes(caseRecord, links, tenant),
            });
        }

        var accepted = new ReportAccepted
        {
            ReportId = reportId,
            Status = ReportStatus.Received,
            ReceivedAt = receivedAt,
            BodySha256 = bodySha256,
            Cases = cases,
            Receipt = receipt,
            Targets = checks,
        };
        var response = new IdempotentResponse(StatusCodes.Status202Accepted,
            JsonSerializer.SerializeToUtf8Bytes(accepted, ExchangeJson.Strict), $"/v1/reports/{reportId}", Replayed: false);
        db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            TenantId = tenant,
            Key = command.IdempotencyKey,
            Operation = Operation,
            RequestSha256 = bodySha256,
            StatusCode = response.StatusCode,
            ResponseBody = response.Body,
            Location = response.Location,
            CreatedAt = receivedAt,
        });

        ledger.Append(db, AuditEntryKind.ReportAccepted, tenant, AuditSubject.Report(reportId, recipients.Prepend(tenant)), new
        {
            reportId,
            submitter = tenant,
            externalId = command.Report.ExternalId,
            receivedAt,
            bodySha256,
            signatureSha256 = Sha256Hex(command.Signature!),
            kid = signature.Kid,
            jti = signature.Jti,
            clientCertificateSha256 = command.Caller.CertificateThumbprint,
            receiptSha256 = Sha256Hex(receipt),
            cases = cases.Select(c => new { caseId = c.CaseId, agency = c.Agency }),
        });

        TargetQuota.Charge(db, reportId, tenant, targetCount, dailyTargets, receivedAt);

        try
        {
            // One round trip for the tracked rows, one for the per-target rows (TargetRows) and one for the commit (where
            // PostgreSQL's quota trigger runs). The transaction is rolled back whole on any failure, so EF's savepoint
            // around the save would be two round trips for nothing.
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await targetRows.WriteAsync(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception exception) when (TargetQuota.IsExceeded(exception))
        {
            throw TargetQuota.Exceeded(dailyTargets, targetCount, receivedAt);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            db.ChangeTracker.Clear();
            return await ResolveConflictAsync(command, tenant, bodySha256, signature, cancellationToken);
        }

        outbox.Committed();
        logger.LogInformation("Report {ReportId} accepted from {Tenant} for {Agencies} ({Targets} targets, {Flagged} flagged, kid {Kid})",
            reportId, tenant, recipients, command.Report.Targets.Count, checks.Count(c => c.Flags.Count > 0), signature.Kid);
        return response;
    }

    /// <summary>A unique key was taken by a concurrent commit: the same request on another instance, or a replayed jti.</summary>
    private async Task<IdempotentResponse> ResolveConflictAsync(
        SubmitReport command, string tenant, string bodySha256, VerifiedSignature signature, CancellationToken cancellationToken)
    {
        var replay = await IdempotencyGuard.FindReplayAsync(db, tenant, command.IdempotencyKey, Operation, bodySha256, cancellationToken);
        if (replay is not null)
        {
            return replay;
        }
        if (await db.Reports.AnyAsync(r => r.TenantId == tenant && r.Jti == signature.Jti, cancellationToken))
        {
            throw new ProblemException(Problems.SignatureReplayed, "Sign every report with a new jti.");
        }
        throw new InvalidOperationException("A unique constraint failed for a reason other than idempotency or jti.");
    }

    private List<string> ResolveRecipients(InfringementReport report, string tenant)
    {
        var snapshot = directory.Current;
        if (report.ShareWith is null)
        {
            var defaults = snapshot.DefaultRecipients(tenant);
            return defaults.Count > 0 ? defaults.ToList() : throw new ProblemException(Problems.NoRecipient);
        }

        var refused = report.ShareWith.Where(agency => !snapshot.MaySend(tenant, agency)).ToList();
        if (refused.Count > 0)
        {
            throw new ProblemException(Problems.RecipientNotAllowed, $"No sharing agreement with: {string.Join(", ", refused)}.",
                new Dictionary<string, object?> { ["recipients"] = refused });
        }
        return report.ShareWith.ToList();
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(text)));

    private sealed record ReceiptPayload(Guid ReportId, string Tenant, string BodySha256, string Jti, DateTimeOffset ReceivedAt);
}
