using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Operator;

internal static class OperatorEndpoints
{
    /// <summary>Onboarding and tenancy: directory changes committed with their operator action record and version bump.</summary>
    public static IServiceCollection AddOperator(this IServiceCollection services)
    {
        services.AddScoped<DirectoryChanges>();
        return services;
    }

    /// <summary>The operator API (role <c>operator</c> only). Every change is in force on every instance within a second.</summary>
    public static IEndpointRouteBuilder MapOperator(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1/operator").WithTags("Operator").RequireAuthorization(Policies.Operator);
        ProblemKind[] body = [Problems.ValidationFailed, Problems.MalformedJson, Problems.UnsupportedMediaType, Problems.PayloadTooLarge];

        ops.MapPost("/tenants", CreateTenantEndpoint.Handle)
            .WithName("CreateTenant")
            .WithSummary("Create a tenant with its roles")
            .Accepts<CreateTenantRequest>("application/json")
            .Produces<OperatorTenant>(StatusCodes.Status201Created)
            .ProducesProblems([.. body, Problems.TenantExists]);

        ops.MapGet("/tenants", ListTenants.Handle)
            .WithName("ListTenants")
            .WithSummary("Every tenant, by id, cursor-paged")
            .Produces<Page<OperatorTenant>>()
            .ProducesProblems(Problems.InvalidCursor, Problems.InvalidQuery);

        ops.MapGet("/tenants/{id}", GetTenant.Handle)
            .WithName("GetTenant")
            .WithSummary("A tenant with its certificates, signing keys and agreements")
            .Produces<OperatorTenantDetails>()
            .ProducesProblems(Problems.NotFound);

        ops.MapPost("/tenants/{id}/certificates", RegisterCertificateEndpoint.Handle)
            .WithName("RegisterCertificate")
            .WithSummary("Register a client certificate (PEM, issued by a partner CA), pinned by its SHA-256 thumbprint")
            .Accepts<RegisterCertificateRequest>("application/json")
            .Produces<OperatorCredential>(StatusCodes.Status201Created)
            .Produces<OperatorCredential>()
            .ProducesProblems([.. body, Problems.NotFound, Problems.CertificateRefused, Problems.CertificateTaken]);

        ops.MapDelete("/tenants/{id}/certificates/{thumbprint:length(64)}", RevokeCertificateEndpoint.Handle)
            .WithName("RevokeCertificate")
            .WithSummary("Revoke a client certificate, at once (hex is case-insensitive)")
            .Produces<OperatorCredential>()
            .ProducesProblems(Problems.NotFound, Problems.OperatorLockout);

        ops.MapPost("/tenants/{id}/signing-keys", RegisterSigningKeyEndpoint.Handle)
            .WithName("RegisterSigningKey")
            .WithSummary("Register a report signing key (EC P-256 public key, PEM); returns its kid")
            .Accepts<RegisterSigningKeyRequest>("application/json")
            .Produces<OperatorSigningKey>(StatusCodes.Status201Created)
            .Produces<OperatorSigningKey>()
            .ProducesProblems([.. body, Problems.NotFound, Problems.SigningKeyRefused, Problems.SigningKeyTaken]);

        ops.MapGet("/tenants/{id}/signing-keys", ListSigningKeys.Handle)
            .WithName("ListSigningKeys")
            .WithSummary("A tenant's signing keys, retired ones included")
            .Produces<Page<OperatorSigningKey>>()
            .ProducesProblems(Problems.NotFound);

        ops.MapDelete("/tenants/{id}/signing-keys/{kid}", RetireSigningKeyEndpoint.Handle)
            .WithName("RetireSigningKey")
            .WithSummary("Retire a signing key: reports signed with it are refused from now on")
            .Produces<OperatorSigningKey>()
            .ProducesProblems(Problems.NotFound);

        ops.MapPost("/tenants/{id}/suspend", ChangeTenantSuspensionEndpoint.Suspend)
            .WithName("SuspendTenant")
            .WithSummary("Suspend a tenant: its every request is refused and nothing more is shared with it")
            .Produces<OperatorTenant>()
            .ProducesProblems(Problems.NotFound, Problems.OperatorLockout);

        ops.MapPost("/tenants/{id}/reactivate", ChangeTenantSuspensionEndpoint.Reactivate)
            .WithName("ReactivateTenant")
            .WithSummary("Lift a tenant's suspension")
            .Produces<OperatorTenant>()
            .ProducesProblems(Problems.NotFound);

        ops.MapGet("/credentials", ListCredentials.Handle)
            .WithName("ListCredentials")
            .WithSummary("Client certificates in force, soonest to expire first (expiringWithin=30d: only those due within 30 days)")
            .Produces<Page<OperatorCredential>>()
            .ProducesProblems(Problems.InvalidCursor, Problems.InvalidQuery);

        ops.MapPut("/agreements", PutAgreementEndpoint.Handle)
            .WithName("PutAgreement")
            .WithSummary("Record that a reporter may share with an agency (by default or not)")
            .Accepts<PutAgreementRequest>("application/json")
            .Produces<SharingAgreementDetails>()
            .Produces<SharingAgreementDetails>(StatusCodes.Status201Created)
            .ProducesProblems([.. body, Problems.AgreementRefused]);

        ops.MapGet("/agreements", ListAgreements.Handle)
            .WithName("ListAgreements")
            .WithSummary("Every sharing agreement")
            .Produces<Page<SharingAgreementDetails>>();

        ops.MapDelete("/agreements/{reporter}/{agency}", RemoveAgreementEndpoint.Handle)
            .WithName("RemoveAgreement")
            .WithSummary("End a sharing agreement")
            .Produces<SharingAgreementDetails>()
            .ProducesProblems(Problems.NotFound);

        ops.MapGet("/actions", ListOperatorActions.Handle)
            .WithName("ListOperatorActions")
            .WithSummary("The record of operator actions (who, what, when, which tenant), oldest first, cursor-paged")
            .Produces<Page<OperatorActionItem>>()
            .ProducesProblems(Problems.InvalidCursor, Problems.InvalidQuery);
        return app;
    }
}
