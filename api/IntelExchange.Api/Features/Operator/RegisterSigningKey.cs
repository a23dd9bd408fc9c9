using System.Security.Cryptography;
using FluentValidation;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Security.Signing;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>
/// Registers a tenant's report signing key (EC P-256 public key); its <c>kid</c> is the RFC 7638 thumbprint, which the
/// tenant puts in its JWS headers. A tenant may hold several, so it rotates keys without a gap.
/// </summary>
internal sealed record RegisterSigningKey(Caller Caller, string TenantId, RegisterSigningKeyRequest Body) : IRequest<(OperatorSigningKey Key, bool Created)>;

internal sealed class RegisterSigningKeyValidator : AbstractValidator<RegisterSigningKey>
{
    public RegisterSigningKeyValidator() => RuleFor(c => c.Body.Pem).NotEmpty().MaximumLength(OperatorLimits.Pem);
}

internal sealed class RegisterSigningKeyHandler(ExchangeDb db, DirectoryChanges changes)
    : IRequestHandler<RegisterSigningKey, (OperatorSigningKey Key, bool Created)>
{
    public async ValueTask<(OperatorSigningKey Key, bool Created)> Handle(RegisterSigningKey command, CancellationToken cancellationToken)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == command.TenantId, cancellationToken))
        {
            throw new ProblemException(Problems.NotFound, "No such tenant.");
        }
        var (kid, pem) = Parse(command.Body.Pem);
        if (await db.SigningKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Kid == kid, cancellationToken) is { } existing)
        {
            return existing.TenantId == command.TenantId && existing.RetiredAt is null
                ? (OperatorViews.ToSigningKey(existing), false)
                : throw new ProblemException(Problems.SigningKeyTaken);
        }

        var key = new SigningKey { Kid = kid, TenantId = command.TenantId, PublicKeyPem = pem, RegisteredAt = changes.Now };
        db.SigningKeys.Add(key);
        try
        {
            await changes.CommitAsync(command.Caller, "signing_key.registered", command.TenantId, kid, new { publicKeyPem = pem }, cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            throw new ProblemException(Problems.SigningKeyTaken, "The key was registered at the same moment by another request.");
        }
        return (OperatorViews.ToSigningKey(key), true);
    }

    /// <summary>Exactly one PEM PUBLIC KEY block holding a P-256 key; the key id and a canonical PEM of it.</summary>
    private static (string Kid, string Pem) Parse(string text)
    {
        var blocks = PemBlocks.Read(text);
        if (blocks.Any(b => b.Label.Contains("PRIVATE KEY", StringComparison.Ordinal)))
        {
            throw new ProblemException(Problems.SigningKeyRefused, "Send only the public key: the body holds a private key, which must never leave the partner.");
        }
        if (blocks is not [{ Label: "PUBLIC KEY" } block])
        {
            throw new ProblemException(Problems.SigningKeyRefused, "The body must hold exactly one PEM PUBLIC KEY block.");
        }
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(block.Der, out var read);
            if (read != block.Der.Length)
            {
                throw new CryptographicException("Trailing data after the key.");
            }
        }
        catch (CryptographicException)
        {
            throw new ProblemException(Problems.SigningKeyRefused, "The PUBLIC KEY block is not an EC public key.");
        }
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ProblemException(Problems.SigningKeyRefused, "The key is not on curve P-256 (ES256).");
        }
        return (EcKeys.Thumbprint(parameters), EcKeys.ExportPublicKeyPem(key));
    }
}

internal static class RegisterSigningKeyEndpoint
{
    public static async Task<IResult> Handle(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var (body, _) = await JsonBody.ReadAsync<RegisterSigningKeyRequest>(context.Request, cancellationToken);
        var (key, created) = await mediator.Send(new RegisterSigningKey(Caller.From(context.User), id, body), cancellationToken);
        return created ? TypedResults.Created((string?)null, key) : TypedResults.Ok(key);
    }
}
