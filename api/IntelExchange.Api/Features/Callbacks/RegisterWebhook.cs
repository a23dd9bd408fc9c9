using FluentValidation;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Callbacks;

/// <summary>Registers the caller's webhook, or changes it and rotates its secret.</summary>
internal sealed record RegisterWebhook(Caller Caller, RegisterWebhookRequest Body) : IRequest<WebhookRegistered>;

internal sealed class RegisterWebhookValidator : AbstractValidator<RegisterWebhook>
{
    public RegisterWebhookValidator() => RuleFor(c => c.Body.Url).NotEmpty().MaximumLength(CallbackUrlPolicy.MaxUrlLength);
}

internal sealed class RegisterWebhookHandler(
    ExchangeDb db,
    CallbackUrlPolicy policy,
    CallbackOptions options,
    AuditLedger ledger,
    TimeProvider clock,
    ILogger<RegisterWebhookHandler> logger) : IRequestHandler<RegisterWebhook, WebhookRegistered>
{
    public async ValueTask<WebhookRegistered> Handle(RegisterWebhook command, CancellationToken cancellationToken)
    {
        var tenant = command.Caller.TenantId;
        var url = (await policy.CheckAsync(command.Body.Url, cancellationToken)).AbsoluteUri;
        var secret = WebhookSecrets.Generate();

        // A first registration racing another one loses on the primary key; the second pass then rotates instead.
        for (var pass = 1; ; pass++)
        {
            var now = clock.GetUtcNow();
            var webhook = await db.WebhookEndpoints.SingleOrDefaultAsync(w => w.TenantId == tenant, cancellationToken);
            if (webhook is null)
            {
                db.WebhookEndpoints.Add(new WebhookEndpoint { TenantId = tenant, Url = url, Secret = secret, CreatedAt = now, UpdatedAt = now });
            }
            else
            {
                // The old secret keeps signing (beside the new one) for the grace period, so the receiver can switch over.
                webhook.PreviousSecret = webhook.Secret;
                webhook.PreviousSecretExpiresAt = now + options.SecretRotationGrace;
                webhook.Secret = secret;
                webhook.Url = url;
                webhook.UpdatedAt = now;
            }
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // The entry names the URL, never the secret.
                ledger.Append(db, webhook is null ? AuditEntryKind.WebhookRegistered : AuditEntryKind.WebhookRotated, tenant,
                    AuditSubject.Tenant(tenant), new { tenant, url });
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Webhook of {Tenant} {Action}", tenant, webhook is null ? "registered" : "changed, secret rotated");
                return new WebhookRegistered { Url = url, Secret = secret };
            }
            catch (DbUpdateException exception) when (pass == 1 && UniqueViolation.Is(exception))
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}

internal static class RegisterWebhookEndpoint
{
    public static async Task<IResult> Handle(HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var (body, _) = await JsonBody.ReadAsync<RegisterWebhookRequest>(context.Request, cancellationToken);
        return TypedResults.Ok(await mediator.Send(new RegisterWebhook(Caller.From(context.User), body), cancellationToken));
    }
}
