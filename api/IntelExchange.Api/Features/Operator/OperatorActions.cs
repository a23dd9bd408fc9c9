using System.Text.Json;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security;
using IntelExchange.Api.Security.Certificates;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Operator;

/// <summary>The record of every operator action: who, what, when, to which tenant. One row per change, never updated.</summary>
internal static class OperatorActions
{
    /// <summary>Adds the record to the caller's unit of work, so it commits with the change it describes, or not at all.</summary>
    public static OperatorAction Record(ExchangeDb db, Caller actor, string action, string tenant, string? target, object? detail, DateTimeOffset at)
    {
        var record = new OperatorAction
        {
            Id = Guid.CreateVersion7(at),
            Actor = actor.TenantId,
            ActorCertificate = actor.CertificateThumbprint,
            Action = action,
            Tenant = tenant,
            Target = target,
            Detail = detail is null ? null : JsonSerializer.Serialize(detail, ExchangeJson.Strict),
            OccurredAt = at,
        };
        db.OperatorActions.Add(record);
        return record;
    }

    /// <summary>The same action as an entry of the tamper-evident audit ledger, in the caller's unit of work.</summary>
    public static void AppendToLedger(
        AuditLedger ledger, ExchangeDb db, Caller actor, string action, string tenant, string? target, object? detail)
    {
        var kind = action switch
        {
            "tenant.created" => AuditEntryKind.TenantRegistered,
            "tenant.suspended" or "tenant.reactivated" => AuditEntryKind.TenantChanged,
            "certificate.registered" => AuditEntryKind.CredentialRegistered,
            "certificate.revoked" => AuditEntryKind.CredentialRevoked,
            "signing_key.registered" => AuditEntryKind.SigningKeyRegistered,
            "signing_key.retired" => AuditEntryKind.SigningKeyRetired,
            "agreement.recorded" => AuditEntryKind.AgreementSet,
            "agreement.removed" => AuditEntryKind.AgreementRemoved,
            "protected_infrastructure.added" or "protected_infrastructure.removed" => AuditEntryKind.ProtectedInfrastructureChanged,
            _ => throw new InvalidOperationException($"No audit entry kind for the operator action '{action}'."),
        };
        var subject = target?.Split("->") is [var reporter, var agency] ? AuditSubject.Agreement(reporter, agency) : AuditSubject.Tenant(tenant);
        ledger.Append(db, kind, actor.TenantId, subject,
            new { action, tenant, target, actorCertificate = actor.CertificateThumbprint, detail });
    }
}

/// <summary>
/// Commits an operator's change to the directory: the change, its <see cref="OperatorActions"/> record and the
/// <see cref="DirectoryState"/> version bump in one transaction. Every instance polls that version every 250 ms, so the
/// change is in force everywhere within a second; this instance reloads at once.
/// </summary>
internal sealed class DirectoryChanges(
    ExchangeDb db, TenantDirectory directory, AuditLedger ledger, TimeProvider clock, ILogger<DirectoryChanges> logger)
{
    /// <summary>The time of the change, to the millisecond: what both databases store, so a re-read shows the same instant.</summary>
    public DateTimeOffset Now { get; } = new(clock.GetUtcNow().UtcTicks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    public async Task CommitAsync(Caller actor, string action, string tenant, string? target, object? detail, CancellationToken cancellationToken)
    {
        OperatorActions.Record(db, actor, action, tenant, target, detail, Now);
        OperatorActions.AppendToLedger(ledger, db, actor, action, tenant, target, detail);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            // An atomic increment: two operators committing at once still move the version twice.
            await db.DirectoryStates.Where(s => s.Id == 1).ExecuteUpdateAsync(s => s.SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        logger.LogInformation("Operator {Actor} {Action} on {Tenant} ({Target})", actor.TenantId, action, tenant, target);
        await directory.RefreshAsync(cancellationToken);
    }
}

/// <summary>Role names on the wire, and the rules for tenant ids.</summary>
internal static class TenantNames
{
    /// <summary>Names the exchange itself uses as an actor, or that would read as one in a case history.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal) { "exchange", "system", "me" };

    public static bool TryParseRole(string name, out TenantRoles role)
    {
        role = name switch
        {
            "reporter" => TenantRoles.Reporter,
            "agency" => TenantRoles.Agency,
            "operator" => TenantRoles.Operator,
            _ => TenantRoles.None,
        };
        return role != TenantRoles.None;
    }
}
