using System.ComponentModel.DataAnnotations;

namespace IntelExchange.Contracts;

/// <summary>The size limits of the operator API, as the exchange enforces them.</summary>
public static class OperatorLimits
{
    /// <summary>Longest tenant display name.</summary>
    public const int TenantName = 200;

    /// <summary>Longest PEM document (a certificate or a public key).</summary>
    public const int Pem = 16 * 1024;

    /// <summary>Longest SHA-256 thumbprint (hex).</summary>
    public const int Thumbprint = 64;

    /// <summary>Longest signing key id (an RFC 7638 thumbprint, base64url).</summary>
    public const int Kid = 64;
}

/// <summary>The body of <c>POST /v1/operator/tenants</c>.</summary>
public sealed record CreateTenantRequest
{
    /// <summary>The tenant id: lower-case letters, digits and '-', starting with a letter or digit.</summary>
    [Length(1, ReportLimits.TenantId), RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$")]
    public required string Id { get; init; }

    /// <summary>The organisation's display name.</summary>
    [Length(1, OperatorLimits.TenantName)]
    public required string Name { get; init; }

    /// <summary>One or more of <c>reporter</c>, <c>agency</c>, <c>operator</c>.</summary>
    [Length(1, 3), ItemLength(6, 8)]
    public required IReadOnlyList<string> Roles { get; init; }
}

/// <summary>A tenant as the operator sees it.</summary>
public sealed record OperatorTenant
{
    /// <summary>The tenant id.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Id { get; init; }

    /// <summary>The organisation's display name.</summary>
    [MaxLength(OperatorLimits.TenantName)]
    public required string Name { get; init; }

    /// <summary>Roles the tenant holds: reporter, agency, operator.</summary>
    [MaxLength(3), ItemLength(6, 8)]
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>A suspended tenant's every request is refused, and no report is shared with it.</summary>
    public required bool Suspended { get; init; }

    /// <summary>When the tenant was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Client certificates registered and not revoked.</summary>
    public required int ActiveCertificates { get; init; }

    /// <summary>Signing keys registered and not retired.</summary>
    public required int ActiveSigningKeys { get; init; }
}

/// <summary>A tenant with its credentials, signing keys and sharing agreements.</summary>
public sealed record OperatorTenantDetails
{
    /// <summary>The tenant.</summary>
    public required OperatorTenant Tenant { get; init; }

    /// <summary>Every client certificate ever registered to it, revoked ones included.</summary>
    [MaxLength(10_000)]
    public required IReadOnlyList<OperatorCredential> Certificates { get; init; }

    /// <summary>Every signing key ever registered to it, retired ones included.</summary>
    [MaxLength(10_000)]
    public required IReadOnlyList<OperatorSigningKey> SigningKeys { get; init; }

    /// <summary>The agreements in which it is the reporter or the agency.</summary>
    [MaxLength(10_000)]
    public required IReadOnlyList<SharingAgreementDetails> Agreements { get; init; }
}

/// <summary>The body of <c>POST /v1/operator/tenants/{id}/certificates</c>.</summary>
public sealed record RegisterCertificateRequest
{
    /// <summary>The client certificate, PEM (<c>-----BEGIN CERTIFICATE-----</c>), issued by a partner CA. No private key.</summary>
    [Length(1, OperatorLimits.Pem)]
    public required string Pem { get; init; }
}

/// <summary>A registered client certificate.</summary>
public sealed record OperatorCredential
{
    /// <summary>SHA-256 of the certificate's DER, lower-case hex: the pin.</summary>
    [Length(64, 64), RegularExpression("^[0-9a-f]{64}$")]
    public required string Thumbprint { get; init; }

    /// <summary>The tenant it identifies.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Tenant { get; init; }

    /// <summary>The certificate's subject.</summary>
    [MaxLength(500)]
    public required string Subject { get; init; }

    /// <summary>Start of the certificate's validity.</summary>
    public required DateTimeOffset NotBefore { get; init; }

    /// <summary>End of the certificate's validity: rotate before then.</summary>
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>When it was revoked, or null while it is in force.</summary>
    public required DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>The body of <c>POST /v1/operator/tenants/{id}/signing-keys</c>.</summary>
public sealed record RegisterSigningKeyRequest
{
    /// <summary>An EC P-256 public key, PEM (<c>-----BEGIN PUBLIC KEY-----</c>, SubjectPublicKeyInfo). No private key.</summary>
    [Length(1, OperatorLimits.Pem)]
    public required string Pem { get; init; }
}

/// <summary>A registered report signing key.</summary>
public sealed record OperatorSigningKey
{
    /// <summary>The key id (RFC 7638 JWK thumbprint, base64url): the <c>kid</c> of the tenant's JWS headers.</summary>
    [Length(43, OperatorLimits.Kid)]
    public required string Kid { get; init; }

    /// <summary>The tenant whose reports it signs.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Tenant { get; init; }

    /// <summary>The public key, PEM.</summary>
    [MaxLength(2000)]
    public required string PublicKeyPem { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>When it was retired (reports signed with it are refused from then on), or null while it is in force.</summary>
    public required DateTimeOffset? RetiredAt { get; init; }
}

/// <summary>The body of <c>PUT /v1/operator/agreements</c>.</summary>
public sealed record PutAgreementRequest
{
    /// <summary>The reporter that may share.</summary>
    [Length(1, ReportLimits.TenantId), RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$")]
    public required string Reporter { get; init; }

    /// <summary>The agency it may share with.</summary>
    [Length(1, ReportLimits.TenantId), RegularExpression("^[a-z0-9][a-z0-9-]{0,62}$")]
    public required string Agency { get; init; }

    /// <summary>Whether a report that names no <c>shareWith</c> goes to this agency.</summary>
    public required bool IsDefault { get; init; }
}

/// <summary>A sharing agreement: the reporter may send reports to the agency.</summary>
public sealed record SharingAgreementDetails
{
    /// <summary>The reporter.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Reporter { get; init; }

    /// <summary>The agency.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Agency { get; init; }

    /// <summary>Whether a report that names no <c>shareWith</c> goes to this agency.</summary>
    public required bool IsDefault { get; init; }

    /// <summary>When the agreement was first recorded.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One recorded operator action.</summary>
public sealed record OperatorActionItem
{
    /// <summary>The record's id (time-ordered).</summary>
    public required Guid Id { get; init; }

    /// <summary>The operator tenant that acted.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Actor { get; init; }

    /// <summary>The thumbprint of the certificate it acted with.</summary>
    [Length(64, 64)]
    public required string ActorCertificate { get; init; }

    /// <summary>What it did, e.g. <c>tenant.created</c>, <c>certificate.revoked</c>, <c>agreement.recorded</c>.</summary>
    [MaxLength(64)]
    public required string Action { get; init; }

    /// <summary>The tenant acted on.</summary>
    [Length(1, ReportLimits.TenantId)]
    public required string Tenant { get; init; }

    /// <summary>The certificate thumbprint, key id or agreement (<c>reporter->agency</c>) acted on.</summary>
    [MaxLength(200)]
    public required string? Target { get; init; }

    /// <summary>What the action set, as JSON text.</summary>
    [MaxLength(4000)]
    public required string? Detail { get; init; }

    /// <summary>When it happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}
