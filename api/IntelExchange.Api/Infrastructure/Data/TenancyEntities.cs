namespace IntelExchange.Api.Infrastructure.Data;

/// <summary>One change an operator made to the directory: who, what, when, and to which tenant. Never updated.</summary>
internal sealed class OperatorAction
{
    public required Guid Id { get; init; }

    /// <summary>The operator tenant that acted.</summary>
    public required string Actor { get; init; }

    /// <summary>The SHA-256 thumbprint of the client certificate the operator acted with.</summary>
    public required string ActorCertificate { get; init; }

    /// <summary>A stable name such as <c>tenant.created</c> or <c>certificate.revoked</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The tenant acted on.</summary>
    public required string Tenant { get; init; }

    /// <summary>The thumbprint, key id or agreement acted on, when the action has one.</summary>
    public string? Target { get; init; }

    /// <summary>What the action set, as JSON (never key material beyond public keys).</summary>
    public string? Detail { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Targets of accepted reports per reporter and UTC day: the daily target quota is checked against this.</summary>
internal sealed class TargetQuotaUsage
{
    public required string TenantId { get; init; }
    public required DateOnly Day { get; init; }
    public long Targets { get; set; }
}

/// <summary>
/// One accepted report's charge against its reporter's daily quota, written with the report. On PostgreSQL a deferred
/// constraint trigger adds it to <see cref="TargetQuotaUsage"/> at COMMIT, refusing the commit if that would pass
/// <see cref="DailyLimit"/>; so the quota row is locked only while the commit is written, never across a round trip.
/// </summary>
internal sealed class TargetQuotaCharge
{
    public required Guid ReportId { get; init; }
    public required string TenantId { get; init; }
    public required DateOnly Day { get; init; }
    public required long Targets { get; init; }

    /// <summary>The limit in force when the report arrived (configuration, so the trigger is told it).</summary>
    public required long DailyLimit { get; init; }
}
