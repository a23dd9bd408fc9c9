using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace IntelExchange.Api.Tests.Support;

/// <summary>
/// A virtual host of its own on the real broker started by deploy/test.sh, so test classes running in parallel never
/// see each other's queues. Created and deleted through the management API.
/// </summary>
public sealed class RabbitVhost : IAsyncDisposable
{
    private readonly HttpClient _management;

    private RabbitVhost(HttpClient management, string name, Uri amqp)
    {
        _management = management;
        Name = name;
        var user = amqp.UserInfo.Split(':');
        Username = Uri.UnescapeDataString(user[0]);
        Password = Uri.UnescapeDataString(user[1]);
        Host = amqp.Host;
        Port = amqp.Port > 0 ? amqp.Port : 5672;
    }

    private RabbitVhost(RabbitVhost other, string username, string password)
    {
        _management = other._management;
        _borrowed = true;
        Name = other.Name;
        Host = other.Host;
        Port = other.Port;
        Username = username;
        Password = password;
    }

    private readonly bool _borrowed;

    /// <summary>The same vhost seen as another broker user (for example an agency's restricted user).</summary>
    public RabbitVhost As(string username, string password) => new(this, username, password);

    public string Name { get; }
    public string Username { get; }
    public string Password { get; }
    public string Host { get; }
    public int Port { get; }

    /// <summary>amqp://user:password@host:port/vhost, as the exchange's <c>Messaging:RabbitMq:Uri</c> takes it.</summary>
    public string AmqpUri => $"amqp://{Uri.EscapeDataString(Username)}:{Uri.EscapeDataString(Password)}@{Host}:{Port}/{Uri.EscapeDataString(Name)}";

    /// <summary>rabbitmq://host:port/vhost, as MassTransit takes it.</summary>
    public Uri BusUri => new($"rabbitmq://{Host}:{Port}/{Uri.EscapeDataString(Name)}");

    public Dictionary<string, string?> ExchangeSettings() => new()
    {
        ["Messaging:Transport"] = "rabbitmq",
        ["Messaging:RabbitMq:Uri"] = AmqpUri,
    };

    public static async Task<RabbitVhost> CreateAsync()
    {
        var amqp = new Uri(TestServices.RabbitMq);
        var management = new HttpClient
        {
            BaseAddress = new Uri(Environment.GetEnvironmentVariable("INTELX_TEST_RABBITMQ_MANAGEMENT") ?? "http://127.0.0.1:15672"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
        var vhost = new RabbitVhost(management, $"intelx-t-{Guid.NewGuid():N}"[..20], amqp);
        (await management.PutAsync($"/api/vhosts/{vhost.Name}", null)).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"/api/permissions/{vhost.Name}/{Uri.EscapeDataString(vhost.Username)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return vhost;
    }

    /// <summary>The number of ready messages in a queue of this vhost (exact, from a passive declare), or null if it does not exist.</summary>
    public async Task<int?> QueueDepthAsync(string queue)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { HostName = Host, Port = Port, VirtualHost = Name, UserName = Username, Password = Password };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (int)(await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_borrowed)
        {
            return;
        }
        await _management.DeleteAsync($"/api/vhosts/{Name}");
        _management.Dispose();
    }
}
