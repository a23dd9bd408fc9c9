using IntelExchange.Api.Infrastructure.Http;
using IntelExchange.Api.Infrastructure.OpenApi;
using IntelExchange.Api.Security.Certificates;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Callbacks;

internal static class CallbacksEndpoints
{
    /// <summary>Signed callbacks (Standard Webhooks) to the submitter: registration, SSRF defences, the sender.</summary>
    public static IServiceCollection AddCallbacks(this IServiceCollection services)
    {
        services.AddSingleton(provider => CallbackOptions.From(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton<CallbackSignal>();
        services.AddSingleton<CallbackScheduler>();
        services.AddSingleton<CallbackUrlPolicy>();
        services.AddSingleton<CallbackHttp>();
        services.AddHostedService<CallbackSender>();
        return services;
    }

    public static IEndpointRouteBuilder MapCallbacks(this IEndpointRouteBuilder app)
    {
        var webhook = app.MapGroup("/v1/partners/me/webhook").WithTags("Callbacks").RequireAuthorization(Policies.Reporter);

        webhook.MapPut("/", RegisterWebhookEndpoint.Handle)
            .WithName("RegisterWebhook")
            .WithSummary("Register or change the caller's webhook; returns a new secret (shown only now)")
            .Accepts<RegisterWebhookRequest>("application/json")
            .Produces<WebhookRegistered>()
            .ProducesProblems(Problems.ValidationFailed, Problems.MalformedJson, Problems.UnsupportedMediaType, Problems.PayloadTooLarge, Problems.CallbackUrlRefused);

        webhook.MapGet("/", GetWebhook.Handle)
            .WithName("GetWebhook")
            .WithSummary("The caller's webhook (never its secret)")
            .Produces<WebhookDetails>()
            .ProducesProblems(Problems.NotFound);

        webhook.MapGet("/deliveries", ListDeliveries.Handle)
            .WithName("ListCallbackDeliveries")
            .WithSummary("The caller's callback deliveries and their attempts, cursor-paged")
            .Produces<Page<CallbackDeliveryItem>>()
            .ProducesProblems(Problems.InvalidCursor, Problems.InvalidQuery);

        webhook.MapPost("/deliveries/{deliveryId:guid}/redeliver", RedeliverCallback.Handle)
            .WithName("RedeliverCallback")
            .WithSummary("Send a delivery again, now")
            .Produces<CallbackDeliveryItem>(StatusCodes.Status202Accepted)
            .ProducesProblems(Problems.NotFound);
        return app;
    }
}
