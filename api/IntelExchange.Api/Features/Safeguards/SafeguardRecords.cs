using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Features.Safeguards;

/// <summary>One target of a report as screened at intake: its identity (for deduplication) and its flags.</summary>
internal sealed class ReportTargetRecord
{
    public required Guid ReportId { get; init; }
    public required int Index { get; init; }
    public required TargetType Type { get; init; }

    /// <summary>SHA-256 (hex) of the target's canonical identity: equal keys are the same target.</summary>
    public required string Key { get; init; }

    /// <summary>The flags as JSON, or null when none matched.</summary>
    public string? Flags { get; init; }
}

/// <summary>A target of a case that was already in an earlier open case of the same agency.</summary>
internal sealed class TargetDuplicateRecord
{
    public required Guid CaseId { get; init; }
    public required int Index { get; init; }
    public required Guid DuplicateOfCaseId { get; init; }
    public required Guid DuplicateOfReportId { get; init; }
    public required int DuplicateOfIndex { get; init; }

    /// <summary>Who submitted the earlier case: its ids are shown to this case's submitter only if it is the same tenant.</summary>
    public required string DuplicateOfReporterId { get; init; }
}

/// <summary>An operator's addition to the protected lists.</summary>
internal sealed class ProtectedEntryRecord
{
    public required Guid Id { get; init; }
    public required ProtectedEntryKind Kind { get; init; }
    public required string Value { get; init; }
    public required string Reason { get; init; }
    public required string AddedBy { get; init; }
    public DateTimeOffset AddedAt { get; init; }
}

/// <summary>One row whose version moves on every change to the operator's additions; every instance polls it.</summary>
internal sealed class ProtectedListState
{
    public int Id { get; init; }
    public long Version { get; set; }
}

internal static class SafeguardsModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<ReportTargetRecord>(e =>
        {
            e.ToTable("ReportTargets");
            e.HasKey(t => new { t.ReportId, t.Index });
            e.Property(t => t.Type).HasConversion<WireNameConverter<TargetType>>().HasMaxLength(16);
            e.Property(t => t.Key).HasMaxLength(64);
            e.Property(t => t.Flags).HasMaxLength(20_000);
            // Key, then report id (UUIDv7): the duplicate lookup walks one key's reports oldest first and stops at the first open case.
            e.HasIndex(t => new { t.Key, t.ReportId, t.Index });
            e.HasOne<ReportRecord>().WithMany().HasForeignKey(t => t.ReportId);
        });
        model.Entity<TargetDuplicateRecord>(e =>
        {
            e.ToTable("TargetDuplicates");
            e.HasKey(d => new { d.CaseId, d.Index });
            e.Property(d => d.DuplicateOfReporterId).HasMaxLength(64);
            e.HasOne<CaseRecord>().WithMany().HasForeignKey(d => d.CaseId);
        });
        model.Entity<ProtectedEntryRecord>(e =>
        {
            e.ToTable("ProtectedEntries");
            e.Property(p => p.Kind).HasConversion<WireNameConverter<ProtectedEntryKind>>().HasMaxLength(16);
            e.Property(p => p.Value).HasMaxLength(300);
            e.Property(p => p.Reason).HasMaxLength(SafeguardLimits.Reason);
            e.Property(p => p.AddedBy).HasMaxLength(64);
            e.HasIndex(p => new { p.Kind, p.Value }).IsUnique();
        });
        model.Entity<ProtectedListState>().HasData(new ProtectedListState { Id = 1, Version = 1 });
        model.Entity<CaseRecord>(e =>
        {
            // The duplicate lookup's probe: a report's case for one agency.
            e.HasIndex(c => new { c.ReportId, c.AgencyId });
            e.HasIndex(c => new { c.AgencyId, c.CreatedAt });
            e.HasIndex(c => new { c.ReporterId, c.CreatedAt });
            e.HasIndex(c => c.CreatedAt);
        });
    }
}
