namespace IntelExchange.Contracts.V1;

/// <summary>
/// A report shared with one recipient agency. Sent only to that agency's endpoint
/// (<c>urn:message:IntelExchange.Contracts.V1:ReportShared</c>).
/// </summary>
public sealed record ReportShared
{
    /// <summary>The case this report opened for the recipient.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The report id.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The recipient agency's tenant id.</summary>
    public required string Agency { get; init; }

    /// <summary>The submitting tenant.</summary>
    public required string Submitter { get; init; }

    /// <summary>When the exchange committed the report.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The report as parsed.</summary>
    public required InfringementReport Report { get; init; }

    /// <summary>The exact signed body bytes, so the agency can verify the signature itself.</summary>
    public required byte[] SignedBody { get; init; }

    /// <summary>The submitter's detached JWS (RFC 7515 Appendix F) over <see cref="SignedBody"/>.</summary>
    public required string Signature { get; init; }

    /// <summary>The submitter's public signing key (PEM, SubjectPublicKeyInfo) named by the JWS <c>kid</c>.</summary>
    public required string SignerPublicKeyPem { get; init; }

    /// <summary>SHA-256 of <see cref="SignedBody"/>, lower-case hex.</summary>
    public required string BodySha256 { get; init; }

    /// <summary>Every target as checked against the protected-infrastructure lists, with its flags.</summary>
    public IReadOnlyList<ReportTargetCheck>? TargetChecks { get; init; }

    /// <summary>Per target of this case: pending, and the earlier open case of this agency it duplicates, if any.</summary>
    public IReadOnlyList<CaseTargetOutcome>? CaseTargets { get; init; }
}

/// <summary>A case moved to a new status. Sent to the case's agency.</summary>
public sealed record CaseStatusChanged
{
    /// <summary>The case id.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The report id.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The case's agency.</summary>
    public required string Agency { get; init; }

    /// <summary>The report's submitter.</summary>
    public required string Submitter { get; init; }

    /// <summary>The new status.</summary>
    public required CaseStatus Status { get; init; }

    /// <summary>The status before the move.</summary>
    public required CaseStatus PreviousStatus { get; init; }

    /// <summary>Per-case sequence of the change (1, 2, 3…).</summary>
    public required int Sequence { get; init; }

    /// <summary>Who made the move (tenant id, or <c>exchange</c> for the expiry job).</summary>
    public required string Actor { get; init; }

    /// <summary>Why, as given by the actor.</summary>
    public string? Reason { get; init; }

    /// <summary>The order reference, for <c>order_issued</c>.</summary>
    public string? OrderReference { get; init; }

    /// <summary>When the order stops having effect.</summary>
    public DateTimeOffset? EffectiveUntil { get; init; }

    /// <summary>When the change happened.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A block was lifted (by the agency, or because it expired). Sent to the case's agency.</summary>
public sealed record CaseLifted
{
    /// <summary>The case id.</summary>
    public required Guid CaseId { get; init; }

    /// <summary>The report id.</summary>
    public required Guid ReportId { get; init; }

    /// <summary>The case's agency.</summary>
    public required string Agency { get; init; }

    /// <summary>True when the exchange lifted it because <c>effectiveUntil</c> passed.</summary>
    public required bool Expired { get; init; }

    /// <summary>Per-case sequence of the change.</summary>
    public required int Sequence { get; init; }

    /// <summary>When it was lifted.</summary>
    public required DateTimeOffset LiftedAt { get; init; }
}

/// <summary>
/// The exchange signed a new checkpoint of its audit ledger. Sent to every agency, so each holds witness copies: a
/// later ledger that is not consistent with a checkpoint it holds proves that records were altered.
/// </summary>
public sealed record AuditCheckpointIssued
{
    /// <summary>The compact JWS (ES256, a key of the exchange's JWKS) over <c>{ treeSize, rootHash, issuedAt }</c>.</summary>
    public required string Checkpoint { get; init; }

    /// <summary>How many ledger entries it covers.</summary>
    public required long TreeSize { get; init; }

    /// <summary>The RFC 9162 Merkle tree hash, lower-case hex.</summary>
    public required string RootHash { get; init; }

    /// <summary>When the exchange signed it.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>The RFC 3161 TimeStampToken (DER) over the ASCII bytes of <see cref="Checkpoint"/>, when the exchange has a time-stamp authority.</summary>
    public byte[]? TimestampToken { get; init; }
}
