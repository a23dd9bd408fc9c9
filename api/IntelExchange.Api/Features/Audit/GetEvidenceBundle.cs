using System.IO.Compression;
using System.Text;
using System.Text.Json;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.Signing;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// <c>GET /v1/reports/{id}/evidence-bundle</c>: everything a court needs to check, without trusting the exchange, that
/// the report is exactly what its submitter signed and that the exchange recorded it in its ledger. The submitter or
/// an agency with a case on the report; anyone else gets 404.
/// </summary>
internal static class GetEvidenceBundle
{
    private static readonly JsonSerializerOptions Indented = new(ExchangeJson.Strict) { WriteIndented = true };

    public static async Task<IResult> Handle(
        Guid reportId, HttpContext context, ExchangeDb db, AuditTree tree, AuditCheckpoints checkpoints, ExchangeSigningKey exchangeKey,
        CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User).TenantId;
        var report = await db.Reports.AsNoTracking()
            .Where(r => r.Id == reportId && (r.TenantId == caller || r.Cases.Any(c => c.AgencyId == caller)))
            .SingleOrDefaultAsync(cancellationToken);
        if (report is null)
        {
            return Problems.NotFound.ToResult();
        }
        var entry = await db.Set<AuditEntryRecord>().AsNoTracking()
            .SingleOrDefaultAsync(e => e.Kind == AuditEntryKind.ReportAccepted && e.SubjectType == "report" && e.SubjectId == reportId.ToString(), cancellationToken);
        // The caller may see this report (checked above); the submitter's certificate and key belong to its evidence,
        // so they are read past the directory's tenant filter, for this one report only.
        var certificatePem = await db.ClientCredentials.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.Thumbprint == report.ClientCertificateThumbprint).Select(c => c.CertificatePem).SingleOrDefaultAsync(cancellationToken);
        if (entry is null || certificatePem is null)
        {
            return Problems.EvidenceUnavailable.ToResult(entry is null
                ? "The report was accepted before the exchange kept an audit ledger."
                : "The client certificate the report was submitted with was registered without its PEM.");
        }

        var signer = await db.SigningKeys.IgnoreQueryFilters().AsNoTracking().SingleAsync(k => k.Kid == report.Kid, cancellationToken);
        var checkpoint = await checkpoints.CoveringAsync(db, entry.Index + 1, cancellationToken)
            ?? throw new InvalidOperationException("The ledger holds the report's entry, yet no checkpoint could be signed.");
        await tree.RefreshAsync(db, cancellationToken);
        var proof = GetInclusionProof.Proof(tree, entry, checkpoint.TreeSize);

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(archive, "report.json", report.Body);
            Add(archive, "report.jws", Encoding.ASCII.GetBytes(report.Jws));
            Add(archive, "signer.pem", Encoding.ASCII.GetBytes(signer.PublicKeyPem));
            Add(archive, "client-certificate.pem", Encoding.ASCII.GetBytes(certificatePem));
            Add(archive, "receipt.jws", Encoding.ASCII.GetBytes(report.Receipt));
            Add(archive, "jwks.json", exchangeKey.Jwks);
            Add(archive, "inclusion-proof.json", JsonSerializer.SerializeToUtf8Bytes(proof, Indented));
            Add(archive, "checkpoint.jws", Encoding.ASCII.GetBytes(checkpoint.Jws));
            Add(archive, "README.txt", Encoding.UTF8.GetBytes(EvidenceReadme.Text(report, entry.Index, checkpoint.TreeSize)));
        }
        return TypedResults.File(zip.ToArray(), "application/zip", $"evidence-{reportId}.zip");
    }

    private static void Add(ZipArchive archive, string name, byte[] content)
    {
        var file = archive.CreateEntry(name, CompressionLevel.Optimal);
        using var stream = file.Open();
        stream.Write(content);
    }
}
