using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Api.Infrastructure.Hosting;
using IntelExchange.Api.Security.Signing;
using Microsoft.EntityFrameworkCore;

namespace IntelExchange.Api.Security;

internal sealed record TenantEntry(string Id, string Name, TenantRoles Roles, bool Suspended);

internal sealed record SigningKeyEntry(string Kid, string TenantId, ECParameters PublicKey, string PublicKeyPem, bool Retired)
{
    private readonly ConcurrentBag<ECDsa> _verifiers = [];

    /// <summary>
    /// Verifies with a pooled key object: importing an EC key validates the point, which costs as much as a verification,
    /// so each key is imported once per concurrent caller rather than once per request.
    /// </summary>
    public bool VerifyData(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (!_verifiers.TryTake(out var key))
        {
            key = ECDsa.Create(PublicKey);
        }
        try
        {
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            _verifiers.Add(key);
        }
    }
}

internal sealed record CredentialEntry(string Thumbprint, string TenantId, DateTimeOffset NotAfter, bool Revoked);

/// <summary>An immutable view of tenants, credentials, signing keys and agreements, swapped as a whole on change.</summary>
internal sealed class DirectorySnapshot
{
    public static readonly DirectorySnapshot Empty = new(-1, [], [], [], []);

    public DirectorySnapshot(
        long version, IEnumerable<TenantEntry> tenants, IEnumerable<CredentialEntry> credentials,
        IEnumerable<SigningKeyEntry> keys, IEnumerable<SharingAgreement> agreements)
    {
        Version = version;
        Tenants = tenants.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        Credentials = credentials.ToFrozenDictionary(c => c.Thumbprint, StringComparer.OrdinalIgnoreCase);
        Keys = keys.ToFrozenDictionary(k => k.Kid, StringComparer.Ordinal);
        Agreements = agreements.Select(a => (a.ReporterId, a.AgencyId, a.IsDefault)).ToArray();
    }

    public long Version { get; }
    public FrozenDictionary<string, TenantEntry> Tenants { get; }
    public FrozenDictionary<string, CredentialEntry> Credentials { get; }
    public FrozenDictionary<string, SigningKeyEntry> Keys { get; }
    public IReadOnlyList<(string Reporter, string Agency, bool IsDefault)> Agreements { get; }

    public bool MaySend(string reporter, string agency) =>
        Agreements.Any(a => a.Reporter == reporter && a.Agency == agency)
        && Tenants.TryGetValue(agency, out var tenant) && !tenant.Suspended && tenant.Roles.HasFlag(TenantRoles.Agency);

    public IReadOnlyList<string> DefaultRecipients(string reporter) =>
        Agreements.Where(a => a.Reporter == reporter && a.IsDefault).Select(a => a.Agency).Where(a => MaySend(reporter, a)).ToArray();
}

/// <summary>
/// Keeps the directory in memory so authentication and signature checks cost no database round trip. Every change
/// bumps <see cref="DirectoryState.Version"/> in the same transaction; each instance polls that one row every
/// 250 ms, so a revocation made on any instance takes effect everywhere within a second.
/// </summary>
internal sealed class TenantDirectory(IServiceScopeFactory scopes, ILogger<TenantDirectory> logger) : VersionPollingService(logger)
{
    private readonly Lock _swap = new();
    private volatile DirectorySnapshot _current = DirectorySnapshot.Empty;

    public DirectorySnapshot Current => _current;

    protected override string SnapshotName => "Directory";

    protected override long CurrentVersion => _current.Version;

    public override async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<ExchangeDb>();
        var version = await db.DirectoryStates.AsNoTracking().Where(s => s.Id == 1).Select(s => s.Version).SingleAsync(cancellationToken);
        if (version <= _current.Version)
        {
            return;
        }

        var tenants = await db.Tenants.AsNoTracking().Select(t => new TenantEntry(t.Id, t.Name, t.Roles, t.Suspended)).ToListAsync(cancellationToken);
        var credentials = await db.ClientCredentials.AsNoTracking().ToListAsync(cancellationToken);
        var keys = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);
        var agreements = await db.SharingAgreements.AsNoTracking().ToListAsync(cancellationToken);
        var snapshot = new DirectorySnapshot(
            version,
            tenants,
            credentials.Select(c => new CredentialEntry(c.Thumbprint, c.TenantId, c.NotAfter, c.RevokedAt is not null)),
            keys.Select(k => new SigningKeyEntry(k.Kid, k.TenantId, EcKeys.ImportPublicKeyPem(k.PublicKeyPem), k.PublicKeyPem, k.RetiredAt is not null)),
            agreements);
        // The poller and a refresh after an operator's commit may race: never replace a newer snapshot with an older one.
        lock (_swap)
        {
            if (snapshot.Version <= _current.Version)
            {
                return;
            }
            _current = snapshot;
        }
        logger.LogInformation("Directory loaded at version {Version}: {Tenants} tenants, {Credentials} credentials, {Keys} signing keys",
            version, tenants.Count, credentials.Count, keys.Count);
    }
}
