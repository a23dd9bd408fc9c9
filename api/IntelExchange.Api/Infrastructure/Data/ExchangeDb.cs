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
            e.Property(c => c.Sequence).IsConcurrencyToken();
            e.HasIndex(c => new { c.AgencyId, c.FeedPosition });
            e.HasIndex(c => c.FeedPosition);
            e.HasIndex(c => new { c.Status, c.EffectiveUntil });
            e.HasMany(c => c.History).WithOne().HasForeignKey(h => h.CaseId);
        });
        model.Entity<CaseEvent>(e =>
        {
            e.Property(h => h.Actor).HasMaxLength(64);
            e.Property(h => h.Reason).HasMaxLength(2000);
            e.Property(h => h.OrderReference).HasMaxLength(200);
            e.Property(h => h.Note).HasMaxLength(4000);
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
    }
}

internal static class SequenceCounterNames
{
    public const string Feed = "feed";
}
