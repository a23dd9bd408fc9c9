using MassTransit;

namespace IntelExchange.Api.Infrastructure.Messaging;

internal static class MessagingExtensions
{
    /// <summary>
    /// MassTransit over RabbitMQ (<c>Messaging:Transport=rabbitmq</c>) or in memory (the embedded default). The API never
    /// publishes to message-type exchanges: the outbox dispatcher sends each message to its recipient's endpoint only.
    /// </summary>
    public static IServiceCollection AddExchangeMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        var transport = configuration["Messaging:Transport"] ?? "inmemory";
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<DispatcherHealth>();
        services.AddHostedService<OutboxDispatcher>();

        services.AddMassTransit(bus =>
        {
            switch (transport)
            {
                case "rabbitmq":
                    var rabbit = RabbitMqSettings.From(configuration);
                    services.AddSingleton(rabbit);
                    services.AddHostedService<AgencyTopology>();
                    bus.UsingRabbitMq((context, cfg) =>
                    {
                        cfg.Host(rabbit.Uri, host =>
                        {
                            host.Username(rabbit.Username);
                            host.Password(rabbit.Password);
                            host.PublisherConfirmation = true;
                            host.Heartbeat(TimeSpan.FromSeconds(10));
                            host.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                        });
                        cfg.ConfigureEndpoints(context);
                    });
                    break;
                case "inmemory":
                    bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
                    break;
                default:
                    throw new InvalidOperationException($"Messaging:Transport must be inmemory or rabbitmq, not '{transport}'.");
            }
        });
        return services;
    }
}

/// <summary><c>Messaging:RabbitMq:Uri</c> (amqp://user:password@host:port/vhost), or its parts as separate keys.</summary>
internal sealed record RabbitMqSettings(Uri Uri, string Username, string Password)
{
    public static RabbitMqSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Messaging:RabbitMq");
        var uri = new Uri(section["Uri"] ?? "amqp://guest:guest@127.0.0.1:5672/");
        var userInfo = uri.UserInfo.Split(':', 2);
        var username = section["Username"] ?? (userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : "guest");
        var password = section["Password"] ?? (userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "guest");
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var clean = new UriBuilder("rabbitmq", uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port, "/" + Uri.EscapeDataString(vhost)).Uri;
        return new RabbitMqSettings(clean, username, password);
    }
}
