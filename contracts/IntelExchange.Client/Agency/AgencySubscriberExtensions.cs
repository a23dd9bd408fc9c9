using IntelExchange.Contracts.V1;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace IntelExchange.Client.Agency;

/// <summary>Registers the agency-side subscriber: the agency's own queue, signature checks, an inbox, retry, then <c>_error</c>.</summary>
public static class AgencySubscriberExtensions
{
    /// <summary>
    /// Consumes <c>intelx.agency.{AgencyId}</c> on RabbitMQ with the agency's own broker user and hands each verified,
    /// de-duplicated message to <typeparamref name="THandler"/>. The endpoint binds no message-type exchanges, so the
    /// agency receives only what the exchange sends to it.
    /// </summary>
    public static IServiceCollection AddIntelExchangeAgencySubscriber<THandler>(this IServiceCollection services, AgencySubscriberOptions options)
        where THandler : class, IIntelHandler
    {
        services.AddSingleton(options);
        services.AddSingleton(new SqliteInbox(options.InboxPath));
        services.AddSingleton<IIntelHandler, THandler>();
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<ReportSharedConsumer>();
            bus.AddConsumer<CaseStatusChangedConsumer>();
            bus.AddConsumer<CaseLiftedConsumer>();
            bus.AddConsumer<AuditCheckpointIssuedConsumer>();
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(options.BrokerUri, host =>
                {
                    host.Username(options.Username);
                    host.Password(options.Password);
                    host.Heartbeat(TimeSpan.FromSeconds(10));
                });
                cfg.ReceiveEndpoint(BusNames.AgencyEndpoint(options.AgencyId), endpoint =>
                {
                    // The agency's broker user may touch only its own queue: no message-type exchanges, no Fault<T> publishes.
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.PublishFaults = false;
                    endpoint.SetQueueArgument("x-queue-type", options.QueueType);
                    endpoint.PrefetchCount = 32;
                    endpoint.UseMessageRetry(retry =>
                    {
                        retry.Ignore<SignatureVerificationException>();
                        retry.Intervals(options.RetryIntervals.ToArray());
                    });
                    endpoint.ConfigureConsumer<ReportSharedConsumer>(context);
                    endpoint.ConfigureConsumer<CaseStatusChangedConsumer>(context);
                    endpoint.ConfigureConsumer<CaseLiftedConsumer>(context);
                    endpoint.ConfigureConsumer<AuditCheckpointIssuedConsumer>(context);
                });
            });
        });
        return services;
    }
}
