using System.Net;
using System.Net.Http.Json;
using System.Text;
using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Api.Tests.Features.Operator;

/// <summary>
/// Every route that names an object, called by a tenant with the right role but no part in the object: 404, exactly as
/// for an object that does not exist. Every role-restricted route, called by each tenant without that role: 403. The
/// matrix is checked against the routes the exchange maps, so a new route cannot be left out of it.
/// </summary>
public sealed class AccessMatrixTests : IClassFixture<AccessMatrixTests.World>
{
    private readonly World _world;

    public AccessMatrixTests(World world) => _world = world;

    /// <summary>ifpi's report to indecopi, its case moved once, and the callback delivery that move scheduled for ifpi.</summary>
    public sealed class World : IAsyncLifetime
    {
        public ExchangeServer Server { get; } = new(new Dictionary<string, string?>
        {
            ["Callbacks:AllowedHosts"] = "127.0.0.1",
            ["Callbacks:AllowInsecureHttp"] = "true",
        });

        public Guid ReportId { get; private set; }
        public Guid CaseId { get; private set; }
        public Guid DeliveryId { get; private set; }

        public async Task InitializeAsync()
        {
            using var ifpi = new Partner(Server, "ifpi");
            using var indecopi = Server.ClientFor("indecopi");
            (await ifpi.Http.PutAsJsonAsync("/v1/partners/me/webhook", new { url = "http://127.0.0.1:9/hook" })).EnsureSuccessStatusCode();
            var accepted = await ifpi.SubmitAsync(SampleReports.Bytes(SampleReports.Json())).ExpectAsync<ReportAccepted>(HttpStatusCode.Accepted);
            ReportId = accepted.ReportId;
            CaseId = accepted.Cases[0].CaseId;
            await Move(indecopi, CaseId).ExpectAsync<CaseDetails>(HttpStatusCode.OK);
            var deliveries = await ifpi.Http.GetFromJsonAsync<Page<CallbackDeliveryItem>>("/v1/partners/me/webhook/deliveries");
            DeliveryId = Assert.Single(deliveries!.Items).Id;
        }

        public Task DisposeAsync()
        {
            Server.Dispose();
            return Task.CompletedTask;
        }
    }

    private static Task<HttpResponseMessage> Move(HttpClient client, Guid caseId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/cases/{caseId}/status")
        {
            Content = new StringContent("""{"status":"under_review"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    /// <summary>Route, the party to the object (who must not get a 404), and how to call it.</summary>
    private sealed record ObjectRoute(string Method, string Pattern, string Party, Func<World, HttpClient, Task<HttpResponseMessage>> Call);

    private static readonly ObjectRoute[] ObjectRoutes =
    [
        new("GET", "/v1/reports/{reportId:guid}", "indecopi", (w, c) => c.GetAsync($"/v1/reports/{w.ReportId}")),
        new("GET", "/v1/reports/{reportId:guid}/evidence-bundle", "indecopi", (w, c) => c.GetAsync($"/v1/reports/{w.ReportId}/evidence-bundle")),
        new("GET", "/v1/cases/{caseId:guid}", "ifpi", (w, c) => c.GetAsync($"/v1/cases/{w.CaseId}")),
        new("POST", "/v1/cases/{caseId:guid}/status", "indecopi", (w, c) => Move(c, w.CaseId)),
        new("POST", "/v1/partners/me/webhook/deliveries/{deliveryId:guid}/redeliver", "ifpi",
            (w, c) => c.PostAsync($"/v1/partners/me/webhook/deliveries/{w.DeliveryId}/redeliver", null)),
    ];

    /// <summary>Route, the role it requires, and a call (any body: authorization refuses before it is read).</summary>
    private sealed record RoleRoute(string Method, string Pattern, TenantRole Role, string Path);

    public enum TenantRole
    {
        Reporter,
        Agency,
        Operator,
    }

    private const string Thumbprint = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static readonly RoleRoute[] RoleRoutes =
    [
        new("POST", "/v1/reports", TenantRole.Reporter, "/v1/reports"),
        new("GET", "/v1/reports", TenantRole.Reporter, "/v1/reports"),
        new("GET", "/v1/intel", TenantRole.Agency, "/v1/intel"),
        new("PUT", "/v1/partners/me/webhook", TenantRole.Reporter, "/v1/partners/me/webhook"),
        new("GET", "/v1/partners/me/webhook", TenantRole.Reporter, "/v1/partners/me/webhook"),
        new("GET", "/v1/partners/me/webhook/deliveries", TenantRole.Reporter, "/v1/partners/me/webhook/deliveries"),
        new("POST", "/v1/partners/me/webhook/deliveries/{deliveryId:guid}/redeliver", TenantRole.Reporter,
            $"/v1/partners/me/webhook/deliveries/{Guid.Empty}/redeliver"),
        new("POST", "/v1/operator/tenants", TenantRole.Operator, "/v1/operator/tenants"),
        new("GET", "/v1/operator/tenants", TenantRole.Operator, "/v1/operator/tenants"),
        new("GET", "/v1/operator/tenants/{id}", TenantRole.Operator, "/v1/operator/tenants/ifpi"),
        new("POST", "/v1/operator/tenants/{id}/certificates", TenantRole.Operator, "/v1/operator/tenants/ifpi/certificates"),
        new("DELETE", "/v1/operator/tenants/{id}/certificates/{thumbprint:length(64)}", TenantRole.Operator,
            $"/v1/operator/tenants/ifpi/certificates/{Thumbprint}"),
        new("POST", "/v1/operator/tenants/{id}/signing-keys", TenantRole.Operator, "/v1/operator/tenants/ifpi/signing-keys"),
        new("GET", "/v1/operator/tenants/{id}/signing-keys", TenantRole.Operator, "/v1/operator/tenants/ifpi/signing-keys"),
        new("DELETE", "/v1/operator/tenants/{id}/signing-keys/{kid}", TenantRole.Operator, "/v1/operator/tenants/ifpi/signing-keys/some-kid"),
        new("POST", "/v1/operator/tenants/{id}/suspend", TenantRole.Operator, "/v1/operator/tenants/ifpi/suspend"),
        new("POST", "/v1/operator/tenants/{id}/reactivate", TenantRole.Operator, "/v1/operator/tenants/ifpi/reactivate"),
        new("GET", "/v1/operator/credentials", TenantRole.Operator, "/v1/operator/credentials?expiringWithin=30d"),
        new("PUT", "/v1/operator/agreements", TenantRole.Operator, "/v1/operator/agreements"),
        new("GET", "/v1/operator/agreements", TenantRole.Operator, "/v1/operator/agreements"),
        new("DELETE", "/v1/operator/agreements/{reporter}/{agency}", TenantRole.Operator, "/v1/operator/agreements/ifpi/indecopi"),
        new("GET", "/v1/operator/actions", TenantRole.Operator, "/v1/operator/actions"),
        new("GET", "/v1/operator/protected-infrastructure", TenantRole.Operator, "/v1/operator/protected-infrastructure"),
        new("GET", "/v1/audit/entries", TenantRole.Operator, "/v1/audit/entries"),
        new("POST", "/v1/operator/protected-infrastructure", TenantRole.Operator, "/v1/operator/protected-infrastructure"),
        new("DELETE", "/v1/operator/protected-infrastructure/{entryId:guid}", TenantRole.Operator,
            $"/v1/operator/protected-infrastructure/{Guid.Empty}"),
    ];

    /// <summary>The demo tenants by the roles they hold: ifpi reporter, indecopi agency, es-mcd both, operator operator.</summary>
    private static readonly Dictionary<string, TenantRole[]> DemoTenants = new()
    {
        ["ifpi"] = [TenantRole.Reporter],
        ["indecopi"] = [TenantRole.Agency],
        ["es-mcd"] = [TenantRole.Reporter, TenantRole.Agency],
        ["operator"] = [TenantRole.Operator],
    };

    [Fact]
    public async Task Every_route_that_names_an_object_answers_404_to_a_tenant_with_no_part_in_it_as_for_a_missing_one()
    {
        foreach (var route in ObjectRoutes)
        {
            using var stranger = _world.Server.ClientFor("es-mcd");
            using var party = _world.Server.ClientFor(route.Party);

            using var asStranger = await route.Call(_world, stranger);
            using var asParty = await route.Call(_world, party);

            var problem = await ProblemAssert.IsProblemAsync(asStranger, Problems.NotFound);
            var detail = problem.TryGetProperty("detail", out var text) ? text.GetString() ?? "" : "";
            Assert.DoesNotContain(_world.ReportId.ToString(), detail, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("ifpi", detail, StringComparison.Ordinal);
            Assert.True(asParty.StatusCode != HttpStatusCode.NotFound, $"{route.Method} {route.Pattern}: the party {route.Party} got 404");
        }
    }

    [Fact]
    public async Task Every_role_restricted_route_answers_403_to_each_tenant_without_the_role()
    {
        var calls = 0;
        foreach (var route in RoleRoutes)
        {
            foreach (var (tenant, roles) in DemoTenants.Where(t => !t.Value.Contains(route.Role)))
            {
                using var client = _world.Server.ClientFor(tenant);
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
                if (route.Method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }
                using var response = await client.SendAsync(request);

                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{tenant} on {route.Method} {route.Path}: {(int)response.StatusCode}");
                await ProblemAssert.IsProblemAsync(response, Problems.Forbidden);
                calls++;
            }
        }
        Assert.True(calls >= RoleRoutes.Length * 2);
        Assert.Equal(0, _world.Server.WithDb(db => db.OperatorActions.Count()));
    }

    [Fact]
    public void The_matrix_covers_every_role_restricted_and_every_object_route_the_exchange_maps()
    {
        var endpoints = _world.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .Select(e => (
                Key: $"{e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0]} {"/" + e.RoutePattern.RawText!.Trim('/')}",
                Policies: e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList(),
                HasParameters: e.RoutePattern.Parameters.Count > 0))
            .ToList();
        var roleKeys = RoleRoutes.Select(r => $"{r.Method} {r.Pattern}").ToHashSet();
        var objectKeys = ObjectRoutes.Select(r => $"{r.Method} {r.Pattern}").ToHashSet();

        var restricted = endpoints.Where(e => e.Policies.Any(p => p is Policies.Reporter or Policies.Agency or Policies.Operator)).Select(e => e.Key).ToList();
        var objects = endpoints.Where(e => e.HasParameters && !e.Policies.Contains(Policies.Operator)).Select(e => e.Key).ToList();

        var unlisted = restricted.Where(key => !roleKeys.Contains(key)).Concat(objects.Where(key => !objectKeys.Contains(key))).ToList();
        var stale = roleKeys.Where(key => !restricted.Contains(key)).ToList();
        Assert.True(unlisted.Count == 0, "Add to the access matrix: " + string.Join(", ", unlisted));
        Assert.True(stale.Count == 0, "No longer mapped or no longer role-restricted: " + string.Join(", ", stale));
        Assert.Contains("GET /v1/operator/tenants", restricted);
    }
}
