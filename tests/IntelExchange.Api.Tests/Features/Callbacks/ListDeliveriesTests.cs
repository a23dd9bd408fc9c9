using System.Net;
using System.Net.Http.Json;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using static IntelExchange.Api.Tests.Features.Callbacks.CallbackSteps;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Callbacks;

public sealed class ListDeliveriesTests : IClassFixture<ListDeliveriesTests.Delivered>
{
    private readonly Delivered _delivered;

    public ListDeliveriesTests(Delivered delivered) => _delivered = delivered;

    /// <summary>One exchange where ifpi received three callbacks on one case.</summary>
    public sealed class Delivered : IAsyncLifetime, IDisposable
    {
        public ExchangeServer Server { get; } = new(LoopbackSettings());
        internal WebhookReceiver Receiver { get; } = new();
        public Guid CaseId { get; private set; }

        public async Task InitializeAsync()
        {
            using var ifpi = new Partner(Server, "ifpi");
            using var indecopi = new Partner(Server, "indecopi");
            await Receiver.StartAsync();
            await RegisterAsync(ifpi, Receiver);
            CaseId = await OpenCaseAsync(ifpi);
            await WalkToAsync(ifpi, indecopi, CaseId, "enforced");
            await DeliveriesWhenAsync(ifpi.Http, CaseId, d => d.Count == 3 && d.All(x => x.Status == CallbackDeliveryStatus.Delivered), "three deliveries");
        }

        public Task DisposeAsync() => Receiver.DisposeAsync().AsTask();

        public void Dispose() => Server.Dispose();
    }

    [Fact]
    public async Task Pages_through_the_callers_deliveries_oldest_first()
    {
        using var ifpi = new Partner(_delivered.Server, "ifpi");

        var first = await ifpi.Http.GetFromJsonAsync<Page<CallbackDeliveryItem>>("/v1/partners/me/webhook/deliveries?limit=2");
        var second = await ifpi.Http.GetFromJsonAsync<Page<CallbackDeliveryItem>>($"/v1/partners/me/webhook/deliveries?limit=2&after={first!.Next}");
        var delivered = await ifpi.Http.GetFromJsonAsync<Page<CallbackDeliveryItem>>("/v1/partners/me/webhook/deliveries?status=delivered");
        var dead = await ifpi.Http.GetFromJsonAsync<Page<CallbackDeliveryItem>>("/v1/partners/me/webhook/deliveries?status=dead");

        Assert.Equal([2, 3], first.Items.Select(d => d.Sequence));
        Assert.Equal([4], second!.Items.Select(d => d.Sequence));
        Assert.Null(second.Next);
        Assert.Equal(3, delivered!.Items.Count);
        Assert.All(delivered.Items, d => Assert.Equal((1, 200), (d.Attempts, d.LastStatusCode!.Value)));
        Assert.Empty(dead!.Items);
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=501")]
    [InlineData("?status=failed")]
    [InlineData("?after=forged.cursor")]
    public async Task Refuses_bad_listing_parameters(string query)
    {
        using var ifpi = new Partner(_delivered.Server, "ifpi");

        var response = await ifpi.Http.GetAsync("/v1/partners/me/webhook/deliveries" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Another_tenant_neither_sees_nor_redelivers_the_callers_deliveries()
    {
        using var ifpi = new Partner(_delivered.Server, "ifpi");
        using var esMcd = new Partner(_delivered.Server, "es-mcd");
        using var indecopi = new Partner(_delivered.Server, "indecopi");
        var delivery = (await DeliveriesAsync(ifpi.Http, _delivered.CaseId))[0];

        var listed = await esMcd.Http.GetFromJsonAsync<Page<CallbackDeliveryItem>>("/v1/partners/me/webhook/deliveries");
        var redeliver = await esMcd.Http.PostAsync($"/v1/partners/me/webhook/deliveries/{delivery.Id}/redeliver", null);
        var byAgency = await indecopi.Http.GetAsync("/v1/partners/me/webhook/deliveries");
        var unknown = await ifpi.Http.PostAsync($"/v1/partners/me/webhook/deliveries/{Guid.NewGuid()}/redeliver", null);

        Assert.Empty(listed!.Items);
        Assert.Equal(HttpStatusCode.NotFound, redeliver.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAgency.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(3, _delivered.Receiver.Verified.Count(c => c.CaseId == _delivered.CaseId));
    }
}
