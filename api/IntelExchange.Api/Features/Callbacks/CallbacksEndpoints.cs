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
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        webhook.MapGet("/", GetWebhook.Handle)
            .WithName("GetWebhook")
            .WithSummary("The caller's webhook (never its secret)")
            .Produces<WebhookDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        webhook.MapGet("/deliveries", ListDeliveries.Handle)
            .WithName("ListCallbackDeliveries")
            .WithSummary("The caller's callback deliveries and their attempts, cursor-paged")
            .Produces<Page<CallbackDeliveryItem>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        webhook.MapPost("/deliveries/{deliveryId:guid}/redeliver", RedeliverCallback.Handle)
            .WithName("RedeliverCallback")
            .WithSummary("Send a delivery again, now")
            .Produces<CallbackDeliveryItem>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
