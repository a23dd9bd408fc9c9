using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FluentValidation;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>
/// Pins a client certificate to a tenant by the SHA-256 of its DER. A tenant may hold several at once, so a partner
/// rotates with overlap: register the new one, move over, revoke the old one.
/// </summary>
internal sealed record RegisterCertificate(Caller Caller, string TenantId, RegisterCertificateRequest Body) : IRequest<(OperatorCredential Credential, bool Created)>;

internal sealed class RegisterCertificateValidator : AbstractValidator<RegisterCertificate>
{
    public RegisterCertificateValidator() => RuleFor(c => c.Body.Pem).NotEmpty().MaximumLength(OperatorLimits.Pem);
}

internal sealed class RegisterCertificateHandler(ExchangeDb db, PartnerTrust trust, DirectoryChanges changes)
    : IRequestHandler<RegisterCertificate, (OperatorCredential Credential, bool Created)>
{
    public async ValueTask<(OperatorCredential Credential, bool Created)> Handle(RegisterCertificate command, CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == command.TenantId, cancellationToken))
        {
            throw new ProblemException(Problems.NotFound, "No such tenant.");
        }
        using var certificate = Parse(command.Body.Pem);
        if (trust.RefusalReason(certificate, changes.Now) is { } reason)
        {
            throw new ProblemException(Problems.CertificateRefused, $"The certificate is refused: {reason}.");
        }

        var thumbprint = PartnerAuthentication.Sha256Thumbprint(certificate);
        if (await db.ClientCredentials.AsNoTracking().SingleOrDefaultAsync(c => c.Thumbprint == thumbprint, cancellationToken) is { } existing)
        {
            return existing.TenantId == command.TenantId && existing.RevokedAt is null
                ? (OperatorViews.ToCredential(existing), false)
                : throw new ProblemException(Problems.CertificateTaken);
        }

        var credential = new ClientCredential
        {
            Thumbprint = thumbprint,
            TenantId = command.TenantId,
            Subject = certificate.Subject.Length > 500 ? certificate.Subject[..500] : certificate.Subject,
            NotBefore = certificate.NotBefore.ToUniversalTime(),
            NotAfter = certificate.NotAfter.ToUniversalTime(),
            RegisteredAt = changes.Now,
            // Kept for the evidence bundles of the reports submitted with it.
            CertificatePem = certificate.ExportCertificatePem(),
        };
        db.ClientCredentials.Add(credential);
        try
        {
            await changes.CommitAsync(command.Caller, "certificate.registered", command.TenantId, thumbprint,
                new { subject = credential.Subject, notBefore = credential.NotBefore, notAfter = credential.NotAfter }, cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            throw new ProblemException(Problems.CertificateTaken, "The certificate was registered at the same moment by another request.");
        }
        return (OperatorViews.ToCredential(credential), true);
    }

    /// <summary>Exactly one PEM block, a certificate; a private key in the body is refused, not ignored.</summary>
    private static X509Certificate2 Parse(string pem)
    {
        var blocks = PemBlocks.Read(pem);
        if (blocks.Any(b => b.Label.Contains("PRIVATE KEY", StringComparison.Ordinal)))
        {
            throw new ProblemException(Problems.CertificateRefused, "Send only the certificate: the body holds a private key, which must never leave the partner.");
        }
        if (blocks is not [{ Label: "CERTIFICATE" } block])
        {
            throw new ProblemException(Problems.CertificateRefused, "The body must hold exactly one PEM CERTIFICATE block.");
        }
        try
        {
            return X509CertificateLoader.LoadCertificate(block.Der);
        }
        catch (CryptographicException)
        {
            throw new ProblemException(Problems.CertificateRefused, "The CERTIFICATE block is not a valid X.509 certificate.");
        }
    }
}

/// <summary>The PEM blocks (RFC 7468) of a text, decoded; anything that is not PEM yields none.</summary>
internal static class PemBlocks
{
    public const int MaxBlocks = 8;

    public static IReadOnlyList<(string Label, byte[] Der)> Read(string text)
    {
        var blocks = new List<(string, byte[])>();
        var rest = text.AsMemory();
        while (blocks.Count <= MaxBlocks && PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest.Span[fields.Base64Data], der, out var written))
            {
                break;
            }
            blocks.Add((label, der[..written]));
            rest = rest[fields.Location.End..];
        }
        return blocks;
    }
}

internal static class RegisterCertificateEndpoint
{
    public static async Task<IResult> Handle(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var (body, _) = await JsonBody.ReadAsync<RegisterCertificateRequest>(context.Request, cancellationToken);
        var (credential, created) = await mediator.Send(new RegisterCertificate(Caller.From(context.User), id, body), cancellationToken);
        return created ? TypedResults.Created((string?)null, credential) : TypedResults.Ok(credential);
    }
}
