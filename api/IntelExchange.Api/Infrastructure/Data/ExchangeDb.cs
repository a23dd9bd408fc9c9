using IntelExchange.Api.Features.Safeguards;
using IntelExchange.Api.Infrastructure.Observability;
using IntelExchange.Api.Features.Audit;
using IntelExchange.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IntelExchange.Api.Infrastructure.Data;

internal sealed class ExchangeDb(DbContextOptions<ExchangeDb> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ClientCredential> ClientCredentials => Set<ClientCredential>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<SharingAgreement> SharingAgreements => Set<SharingAgreement>();
    public DbSet<DirectoryState> DirectoryStates => Set<DirectoryState>();
    public DbSet<ReportRecord> Reports => Set<ReportRecord>();
    public DbSet<CaseRecord> Cases => Set<CaseRecord>();
    public DbSet<CaseEvent> CaseEvents => Set<CaseEvent>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<SequenceCounter> SequenceCounters => Set<SequenceCounter>();
    public DbSet<JobLease> JobLeases => Set<JobLease>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<CallbackDelivery> CallbackDeliveries => Set<CallbackDelivery>();
    public DbSet<ReportTargetRecord> ReportTargets => Set<ReportTargetRecord>();
    public DbSet<TargetDuplicateRecord> TargetDuplicates => Set<TargetDuplicateRecord>();
    public DbSet<ProtectedEntryRecord> ProtectedEntries => Set<ProtectedEntryRecord>();
    public DbSet<ProtectedListState> ProtectedListStates => Set<ProtectedListState>();
    public DbSet<OperatorAction> OperatorActions => Set<OperatorAction>();
    public DbSet<TargetQuotaUsage> TargetQuotaUsage => Set<TargetQuotaUsage>();
    public DbSet<TargetQuotaCharge> TargetQuotaCharges => Set<TargetQuotaCharge>();

    /// <summary>
    /// Whose rows this unit of work sees; every tenant-owned entity's query filter reads it at each query. Set by the
    /// scoped registration (<see cref="PersistenceExtensions"/>) and reset to a closed scope when the context goes back
    /// to the pool, so a pooled context never carries one request's tenant into the next.
    /// </summary>
    public DataScope Scope { get; set; } = new();

    public override void Dispose()
    {
        Scope = new DataScope();
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        Scope = new DataScope();
        return base.DisposeAsync();
    }
    public DbSet<AuditEntryRecord> AuditEntries => Set<AuditEntryRecord>();
    public DbSet<AuditLedgerHead> AuditLedgerHeads => Set<AuditLedgerHead>();
    public DbSet<AuditCheckpointRecord> AuditCheckpoints => Set<AuditCheckpointRecord>();

    public bool IsPostgres => Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset stored as text; a binary (ticks) form sorts correctly.
        if (Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite")
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }

        configurationBuilder.Properties<CaseStatus>().HaveConversion<WireNameConverter<CaseStatus>>().HaveMaxLength(32);
        configurationBuilder.Properties<ReportStatus>().HaveConversion<WireNameConverter<ReportStatus>>().HaveMaxLength(32);
        configurationBuilder.Properties<ReportCategory>().HaveConversion<WireNameConverter<ReportCategory>>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        MapTenancy(model);
        model.Entity<Tenant>(e =>
        {
            e.Property(t => t.Id).HasMaxLength(64);
            e.Property(t => t.Name).HasMaxLength(200);
        });
        model.Entity<ClientCredential>(e =>
        {
            e.HasKey(c => c.Thumbprint);
            e.Property(c => c.Thumbprint).HasMaxLength(64);
            e.Property(c => c.TenantId).HasMaxLength(64);
            e.Property(c => c.Subject).HasMaxLength(500);
            e.Property(c => c.CertificatePem).HasMaxLength(16000);
            e.HasIndex(c => c.TenantId);
            e.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId);
        });
        model.Entity<SigningKey>(e =>
        {
            e.HasKey(k => k.Kid);
            e.Property(k => k.Kid).HasMaxLength(64);
            e.Property(k => k.TenantId).HasMaxLength(64);
            e.Property(k => k.PublicKeyPem).HasMaxLength(2000);
            e.HasIndex(k => k.TenantId);
            e.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId);
        });
        model.Entity<SharingAgreement>(e =>
        {
            e.HasKey(a => new { a.ReporterId, a.AgencyId });
            e.Property(a => a.ReporterId).HasMaxLength(64);
            e.Property(a => a.AgencyId).HasMaxLength(64);
        });
        model.Entity<ReportRecord>(e =>
        {
            e.ToTable("Reports");
            e.Property(r => r.TenantId).HasMaxLength(64);
            e.Property(r => r.ExternalId).HasMaxLength(200);
            e.Property(r => r.Jws).HasMaxLength(4096);
            e.Property(r => r.BodySha256).HasMaxLength(64);
            e.Property(r => r.Kid).HasMaxLength(64);
            e.Property(r => r.Jti).HasMaxLength(200);
            e.Property(r => r.ClientCertificateThumbprint).HasMaxLength(64);
            e.Property(r => r.Receipt).HasMaxLength(4096);
            // jti is unique per tenant forever: this index is the replay store.
            e.HasIndex(r => new { r.TenantId, r.Jti }).IsUnique();
            e.HasIndex(r => new { r.TenantId, r.Id });
            e.HasMany(r => r.Cases).WithOne(c => c.Report).HasForeignKey(c => c.ReportId);
        });
        model.Entity<CaseRecord>(e =>
        {
            e.ToTable("Cases");
            e.Property(c => c.AgencyId).HasMaxLength(64);
            e.Property(c => c.ReporterId).HasMaxLength(64);
            e.Property(c => c.OrderReference).HasMaxLength(200);
            e.Property(c => c.OpenedMonth).HasMaxLength(7);
            e.Property(c => c.OrderedTargets).HasMaxLength(8000);
            e.Property(c => c.NotOrderedReason).HasMaxLength(2000);
            e.Property(c => c.Sequence).IsConcurrencyToken();
            e.HasIndex(c => new { c.AgencyId, c.FeedPosition });
            e.HasIndex(c => c.FeedPosition);
            e.HasIndex(c => new { c.Status, c.EffectiveUntil });
            e.HasMany(c => c.History).WithOne(h => h.Case).HasForeignKey(h => h.CaseId);
        });
        model.Entity<CaseEvent>(e =>
        {
            e.Property(h => h.Actor).HasMaxLength(64);
            e.Property(h => h.Reason).HasMaxLength(2000);
            e.Property(h => h.OrderReference).HasMaxLength(200);
            e.Property(h => h.Note).HasMaxLength(4000);
            e.Property(h => h.SafeguardOverrideReason).HasMaxLength(2000);
            e.Property(h => h.SafeguardOverrideTargets).HasMaxLength(8000);
            e.Property(h => h.OrderedTargets).HasMaxLength(8000);
            e.Property(h => h.NotOrderedReason).HasMaxLength(2000);
            e.HasIndex(h => new { h.CaseId, h.Sequence }).IsUnique();
        });
        model.Entity<IdempotencyRecord>(e =>
        {
            e.HasKey(i => new { i.TenantId, i.Key });
            e.Property(i => i.TenantId).HasMaxLength(64);
            e.Property(i => i.Key).HasMaxLength(255);
            e.Property(i => i.Operation).HasMaxLength(100);
            e.Property(i => i.RequestSha256).HasMaxLength(64);
            e.Property(i => i.Location).HasMaxLength(200);
            e.HasIndex(i => i.CreatedAt);
        });
        model.Entity<OutboxMessage>(e =>
        {
            e.Property(o => o.MessageType).HasMaxLength(200);
            e.Property(o => o.Destination).HasMaxLength(64);
            e.Property(o => o.LastError).HasMaxLength(2000);
            e.Property(o => o.TraceParent).HasMaxLength(ExchangeTelemetry.TraceParentLength);
            e.HasIndex(o => new { o.SentAt, o.NextAttemptAt });
        });
        model.Entity<SequenceCounter>(e =>
        {
            e.HasKey(s => s.Name);
            e.Property(s => s.Name).HasMaxLength(64);
            e.HasData(new SequenceCounter { Name = SequenceCounterNames.Feed, Value = 0 });
        });
        model.Entity<DirectoryState>().HasData(new DirectoryState { Id = 1, Version = 1 });
        model.Entity<JobLease>(e =>
        {
            e.HasKey(l => l.Name);
            e.Property(l => l.Name).HasMaxLength(64);
            e.Property(l => l.Holder).HasMaxLength(100);
        });
        model.Entity<WebhookEndpoint>(e =>
        {
            e.HasKey(w => w.TenantId);
            e.Property(w => w.TenantId).HasMaxLength(64);
            e.Property(w => w.Url).HasMaxLength(2048);
            e.Property(w => w.Secret).HasMaxLength(100);
            e.Property(w => w.PreviousSecret).HasMaxLength(100);
            e.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId);
        });
        model.Entity<CallbackDelivery>(e =>
        {
            e.Property(d => d.TenantId).HasMaxLength(64);
            e.Property(d => d.Status).HasConversion<WireNameConverter<CallbackDeliveryStatus>>().HasMaxLength(16);
            e.Property(d => d.LastError).HasMaxLength(200);
            e.Property(d => d.LeaseHolder).HasMaxLength(100);
            e.Property(d => d.TraceParent).HasMaxLength(ExchangeTelemetry.TraceParentLength);
            e.HasIndex(d => new { d.CaseId, d.Sequence }).IsUnique();
            e.HasIndex(d => new { d.Status, d.NextAttemptAt });
            e.HasIndex(d => new { d.TenantId, d.Id });
            e.HasOne<CaseRecord>().WithMany().HasForeignKey(d => d.CaseId);
        });
        model.Entity<AuditEntryRecord>(e =>
        {
            e.ToTable("AuditEntries");
            e.HasKey(a => a.Index);
            e.Property(a => a.Index).ValueGeneratedNever();
            e.Property(a => a.Kind).HasConversion<WireNameConverter<AuditEntryKind>>().HasMaxLength(64);
            e.Property(a => a.Actor).HasMaxLength(64);
            e.Property(a => a.SubjectType).HasMaxLength(32);
            e.Property(a => a.SubjectId).HasMaxLength(200);
            e.Property(a => a.Parties).HasMaxLength(2000);
            e.Ignore(a => a.PartyList);
            e.HasIndex(a => new { a.SubjectType, a.SubjectId });
        });
        model.Entity<AuditPendingEntry>(e =>
        {
            e.ToTable("AuditPendingEntries");
            e.Property(a => a.Kind).HasConversion<WireNameConverter<AuditEntryKind>>().HasMaxLength(64);
            e.Property(a => a.Actor).HasMaxLength(64);
            e.Property(a => a.SubjectType).HasMaxLength(32);
            e.Property(a => a.SubjectId).HasMaxLength(200);
            e.Property(a => a.Parties).HasMaxLength(2000);
        });
        model.Entity<AuditLedgerHead>(e =>
        {
            e.ToTable("AuditLedgerHeads");
            e.Property(h => h.Id).ValueGeneratedNever();
            e.HasData(new AuditLedgerHead { Id = AuditLedgerHead.SingletonId, Size = 0, LastHash = AuditLedger.GenesisHash });
        });
        model.Entity<AuditCheckpointRecord>(e =>
        {
            e.ToTable("AuditCheckpoints");
            e.HasKey(c => c.TreeSize);
            e.Property(c => c.TreeSize).ValueGeneratedNever();
        });
        SafeguardsModel.Configure(model);
    }

    /// <summary>
    /// Tenant isolation in the data layer: every query on a tenant-owned entity is filtered by <see cref="Scope"/>, so a
    /// handler that forgets a tenant predicate still cannot read another tenant's rows. A report is its submitter's and,
    /// through their own cases, its agencies'; a case is its agency's and its submitter's. Code that must read across
    /// tenants says so at the call (<c>IgnoreQueryFilters</c>) or runs in a system scope.
    /// </summary>
    private void MapTenancy(ModelBuilder model)
    {
        model.Entity<Tenant>().HasQueryFilter(t => Scope.SeesDirectory || t.Id == Scope.TenantId);
        model.Entity<ClientCredential>().HasQueryFilter(c => Scope.SeesDirectory || c.TenantId == Scope.TenantId);
        model.Entity<SigningKey>().HasQueryFilter(k => Scope.SeesDirectory || k.TenantId == Scope.TenantId);
        model.Entity<SharingAgreement>().HasQueryFilter(a => Scope.SeesDirectory || a.ReporterId == Scope.TenantId || a.AgencyId == Scope.TenantId);
        model.Entity<ReportRecord>().HasQueryFilter(r =>
            Scope.AllTenants || r.TenantId == Scope.TenantId || r.Cases.Any(c => c.AgencyId == Scope.TenantId));
        model.Entity<CaseRecord>().HasQueryFilter(c => Scope.AllTenants || c.AgencyId == Scope.TenantId || c.ReporterId == Scope.TenantId);
        model.Entity<CaseEvent>().HasQueryFilter(h =>
            Scope.AllTenants || h.Case!.AgencyId == Scope.TenantId || h.Case.ReporterId == Scope.TenantId);
        model.Entity<IdempotencyRecord>().HasQueryFilter(i => Scope.AllTenants || i.TenantId == Scope.TenantId);
        model.Entity<OutboxMessage>().HasQueryFilter(o => Scope.AllTenants || o.Destination == Scope.TenantId);
        model.Entity<WebhookEndpoint>().HasQueryFilter(w => Scope.AllTenants || w.TenantId == Scope.TenantId);
        model.Entity<CallbackDelivery>().HasQueryFilter(d => Scope.AllTenants || d.TenantId == Scope.TenantId);
        model.Entity<TargetQuotaUsage>().HasQueryFilter(q => Scope.AllTenants || q.TenantId == Scope.TenantId);
        model.Entity<TargetQuotaCharge>().HasQueryFilter(q => Scope.AllTenants || q.TenantId == Scope.TenantId);
        model.Entity<OperatorAction>().HasQueryFilter(a => Scope.SeesDirectory);
        // Rows of a report or case are visible with their parent; the parent's own filter already lets everything
        // through in an all-tenants scope. A plain EXISTS (not OR'ed with the scope flag) plans as a semi-join probing
        // the parent's key, where an OR'ed one may be planned as a hash of every row the tenant can see.
        model.Entity<ReportTargetRecord>().HasQueryFilter(t => Reports.Any(r => r.Id == t.ReportId));
        model.Entity<TargetDuplicateRecord>().HasQueryFilter(d => Cases.Any(c => c.Id == d.CaseId));

        model.Entity<OperatorAction>(e =>
        {
            e.Property(a => a.Actor).HasMaxLength(64);
            e.Property(a => a.ActorCertificate).HasMaxLength(64);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.Tenant).HasMaxLength(64);
            e.Property(a => a.Target).HasMaxLength(200);
            e.Property(a => a.Detail).HasMaxLength(4000);
            e.HasIndex(a => new { a.Tenant, a.Id });
        });
        model.Entity<TargetQuotaUsage>(e =>
        {
            e.HasKey(q => new { q.TenantId, q.Day });
            e.Property(q => q.TenantId).HasMaxLength(64);
        });
        model.Entity<TargetQuotaCharge>(e =>
        {
            e.HasKey(q => q.ReportId);
            e.Property(q => q.TenantId).HasMaxLength(64);
            e.HasOne<ReportRecord>().WithOne().HasForeignKey<TargetQuotaCharge>(q => q.ReportId);
        });
    }
}

internal static class SequenceCounterNames
{
    public const string Feed = "feed";
}
