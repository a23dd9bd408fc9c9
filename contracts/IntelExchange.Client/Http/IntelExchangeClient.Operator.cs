using System.Globalization;
using System.Net.Http.Json;
using IntelExchange.Contracts;

namespace IntelExchange.Client.Http;

/// <summary>The operator API (role operator): tenants, client certificates, signing keys, agreements, suspension.</summary>
public sealed partial class IntelExchangeClient
{
    /// <summary><c>POST /v1/operator/tenants</c>: a new tenant with its roles (reporter, agency, operator).</summary>
    public Task<OperatorTenant> CreateTenantAsync(string id, string name, IReadOnlyList<string> roles, CancellationToken cancellationToken = default) =>
        SendJsonAsync<OperatorTenant>(HttpMethod.Post, "/v1/operator/tenants", new CreateTenantRequest { Id = id, Name = name, Roles = roles }, cancellationToken);

    /// <summary><c>GET /v1/operator/tenants</c>: one page of tenants.</summary>
    public Task<Page<OperatorTenant>> ListTenantsAsync(string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<OperatorTenant>>("/v1/operator/tenants" + Query(("after", after), ("limit", Text(limit))), cancellationToken);

    /// <summary><c>GET /v1/operator/tenants/{id}</c>: a tenant with its certificates, signing keys and agreements.</summary>
    public Task<OperatorTenantDetails> GetTenantAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<OperatorTenantDetails>($"/v1/operator/tenants/{Uri.EscapeDataString(id)}", cancellationToken);

    /// <summary><c>POST /v1/operator/tenants/{id}/certificates</c>: pins a client certificate (PEM) to the tenant.</summary>
    public Task<OperatorCredential> RegisterCertificateAsync(string tenant, string certificatePem, CancellationToken cancellationToken = default) =>
        SendJsonAsync<OperatorCredential>(HttpMethod.Post, $"/v1/operator/tenants/{Uri.EscapeDataString(tenant)}/certificates",
            new RegisterCertificateRequest { Pem = certificatePem }, cancellationToken);

    /// <summary><c>DELETE /v1/operator/tenants/{id}/certificates/{thumbprint}</c>: revokes it at once.</summary>
    public Task<OperatorCredential> RevokeCertificateAsync(string tenant, string thumbprint, CancellationToken cancellationToken = default) =>
        SendJsonAsync<OperatorCredential>(HttpMethod.Delete,
            $"/v1/operator/tenants/{Uri.EscapeDataString(tenant)}/certificates/{Uri.EscapeDataString(thumbprint)}", null, cancellationToken);

    /// <summary><c>POST /v1/operator/tenants/{id}/signing-keys</c>: registers an EC P-256 public key (PEM); the answer holds its kid.</summary>
    public Task<OperatorSigningKey> RegisterSigningKeyAsync(string tenant, string publicKeyPem, CancellationToken cancellationToken = default) =>
        SendJsonAsync<OperatorSigningKey>(HttpMethod.Post, $"/v1/operator/tenants/{Uri.EscapeDataString(tenant)}/signing-keys",
            new RegisterSigningKeyRequest { Pem = publicKeyPem }, cancellationToken);

    /// <summary>
    /// <c>GET /v1/operator/tenants/{id}/signing-keys</c>: every signing key of the tenant, retired ones included, oldest
    /// first, in one page (the list is short and not paged: <c>Next</c> is always null).
    /// </summary>
    public Task<Page<OperatorSigningKey>> ListSigningKeysAsync(string tenant, CancellationToken cancellationToken = default) =>
        GetAsync<Page<OperatorSigningKey>>($"/v1/operator/tenants/{Uri.EscapeDataString(tenant)}/signing-keys", cancellationToken);

    /// <summary><c>DELETE /v1/operator/tenants/{id}/signing-keys/{kid}</c>: retires the key; reports signed with it are refused from then on.</summary>
    public Task<OperatorSigningKey> RetireSigningKeyAsync(string tenant, string kid, CancellationToken cancellationToken = default) =>
        SendJsonAsync<OperatorSigningKey>(HttpMethod.Delete,
            $"/v1/operator/tenants/{Uri.EscapeDataString(tenant)}/signing-keys/{Uri.EscapeDataString(kid)}", null, cancellationToken);

    /// <summary><c>POST /v1/operator/tenants/{id}/suspend</c> or <c>…/reactivate</c>.</summary>
    public Task<OperatorTenant> SetTenantSuspendedAsync(string tenant, bool suspended, CancellationToken cancellationToken = default) =>
        SendJsonAsync<OperatorTenant>(HttpMethod.Post,
            $"/v1/operator/tenants/{Uri.EscapeDataString(tenant)}/{(suspended ? "suspend" : "reactivate")}", null, cancellationToken);

    /// <summary><c>GET /v1/operator/credentials?expiringWithin=</c>: certificates in force, soonest to expire first.</summary>
    public Task<Page<OperatorCredential>> ListCredentialsAsync(string? expiringWithin = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<OperatorCredential>>("/v1/operator/credentials" + Query(("expiringWithin", expiringWithin), ("after", after), ("limit", Text(limit))),
            cancellationToken);

    /// <summary><c>PUT /v1/operator/agreements</c>: the reporter may share with the agency (by default, or when it names it).</summary>
    public Task<SharingAgreementDetails> PutAgreementAsync(string reporter, string agency, bool isDefault, CancellationToken cancellationToken = default) =>
        SendJsonAsync<SharingAgreementDetails>(HttpMethod.Put, "/v1/operator/agreements",
            new PutAgreementRequest { Reporter = reporter, Agency = agency, IsDefault = isDefault }, cancellationToken);

    /// <summary>
    /// <c>GET /v1/operator/agreements</c>: every sharing agreement, by reporter then agency, in one page (the list is
    /// short and not paged: <c>Next</c> is always null).
    /// </summary>
    public Task<Page<SharingAgreementDetails>> ListAgreementsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<Page<SharingAgreementDetails>>("/v1/operator/agreements", cancellationToken);

    /// <summary><c>GET /v1/operator/actions</c>: the record of operator actions, oldest first.</summary>
    public Task<Page<OperatorActionItem>> ListOperatorActionsAsync(string? tenant = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<Page<OperatorActionItem>>("/v1/operator/actions" + Query(("tenant", tenant), ("after", after), ("limit", Text(limit))), cancellationToken);

    private static string? Text(int? value) => value?.ToString(CultureInfo.InvariantCulture);
}
