using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntelExchange.Api.Tests.Features.Callbacks;
using IntelExchange.Api.Tests.Support;
using IntelExchange.Contracts;
using IntelExchange.Contracts.V1;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Deploy;

/// <summary>
/// Two exchange instances on one PostgreSQL database and one RabbitMQ vhost, as deploy/run-two.sh and the Kubernetes
/// Deployment run them. Both serve partners, both run the outbox dispatcher, the callback sender and the expiry job;
/// every send is counted where it lands.
/// </summary>
public sealed class TwoInstanceTests
{
    private const int Reports = 24;
    private const string SpyQueue = "spy.intelx.agency.indecopi";

    [Fact]
    public async Task Two_instances_send_every_message_and_callback_exactly_once_and_lift_each_order_once()
    {
        await using var vhost = await RabbitVhost.CreateAsync();
        var settings = vhost.ExchangeSettings();
        settings["Persistence:Provider"] = "postgres";
        settings["ConnectionStrings:IntelExchange"] = TestServices.PostgresDatabase("twoinstances");
        settings["Cases:ExpiryIntervalSeconds"] = "1";
        foreach (var (key, value) in CallbackSteps.LoopbackSettings())
        {
            settings[key] = value;
        }
        var dataPath = Path.Combine(Path.GetTempPath(), "intelx-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var first = new ExchangeServer(settings, dataPath);
            using var second = new ExchangeServer(settings, dataPath);
            await EventuallyAsync(() => vhost.QueueDepthAsync("intelx.agency.indecopi"), depth => depth == 0, TimeSpan.FromSeconds(20), "the agency queue");
            await using var spy = await BrokerSpy.BindAsync(vhost, "intelx.agency.indecopi", SpyQueue);
            await using var agency = await AgencySubscriber.StartAsync(vhost, "indecopi");
            await using var receiver = new WebhookReceiver();
            await receiver.StartAsync();
            var instances = new[] { first, second };
            var reporters = instances.Select(i => new Partner(i, "ifpi")).ToArray();
            var agencies = instances.Select(i => new Partner(i, "indecopi")).ToArray();
            await CallbackSteps.RegisterAsync(reporters[0], receiver);

            var cases = await Task.WhenAll(Enumerable.Range(0, Reports).Select(async i =>
                (await SubmitAsync(reporters[i % 2])).Cases.Single().CaseId));
            var effectiveUntil = DateTimeOffset.UtcNow.AddSeconds(4);
            await Task.WhenAll(cases.Select(async (caseId, i) =>
            {
                await MoveAsync(agencies[i % 2].Http, caseId, Body("under_review"));
                await MoveAsync(agencies[(i + 1) % 2].Http, caseId, OrderBody(effectiveUntil));
            }));

            // Per case: ReportShared, CaseStatusChanged x3 (under_review, order_issued, lifted), CaseLifted; callbacks for 2, 3, 4.
            const int messages = Reports * 5;
            const int callbacks = Reports * 3;
            await EventuallyAsync(() => Task.FromResult(receiver.Verified.Count), count => count >= callbacks, TimeSpan.FromSeconds(60), "every callback");
            await EventuallyAsync(() => spy.CountAsync(), count => count >= messages, TimeSpan.FromSeconds(30), "every message at the broker");
            await Task.Delay(TimeSpan.FromSeconds(3)); // more dispatcher, sender and expiry rounds on both instances

            var sent = await spy.DrainAsync();
            var rows = first.WithDb(db => db.OutboxMessages.AsNoTracking().ToList());
            Assert.Equal(messages, rows.Count);
            Assert.All(rows, row => Assert.NotNull(row.SentAt));
            Assert.Equal(rows.Select(r => r.Id).Order(), sent.Counts.Keys.Order());
            Assert.All(sent.Counts, message => Assert.True(message.Value == 1, $"message {message.Key} reached the broker {message.Value} times"));
            Assert.Equal(2, sent.Senders.Count);

            Assert.Equal(callbacks, receiver.Received.Count);
            Assert.All(receiver.Received.GroupBy(c => c.WebhookId), c => Assert.Single(c));
            Assert.All(receiver.Received.GroupBy(c => c.CaseId), c => Assert.Equal([2, 3, 4], c.Select(x => x.Sequence)));

            Assert.True(await agency.Received.WaitForReportsAsync(Reports, TimeSpan.FromSeconds(10)));
            Assert.Equal(cases.Order(), agency.Received.Reports.Select(r => r.CaseId).Order());
            Assert.Equal(Reports * 3, agency.Received.StatusChanges.DistinctBy(c => (c.CaseId, c.Sequence)).Count());
            Assert.Equal(cases.Order(), agency.Received.Lifts.Select(l => l.CaseId).Order());

            var history = first.WithDb(db => db.CaseEvents.AsNoTracking().ToList()).GroupBy(e => e.CaseId).ToList();
            Assert.Equal(Reports, history.Count);
            Assert.All(history, events =>
            {
                Assert.Equal([1, 2, 3, 4], events.Select(e => e.Sequence).Order());
                var lifted = Assert.Single(events, e => e.Status == CaseStatus.Lifted);
                Assert.Equal("exchange", lifted.Actor);
            });
            var feed = first.WithDb(db => db.Cases.AsNoTracking().Select(c => c.FeedPosition).ToList());
            Assert.Equal(Enumerable.Range(1, Reports).Select(p => (long?)p), feed.Order());
            foreach (var partner in reporters.Concat(agencies))
            {
                partner.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dataPath, recursive: true);
        }
    }

    /// <summary>
    /// A queue of the test's own bound to an agency's fanout exchange: it receives a copy of every message the
    /// exchange sends to that agency, so sends are counted at the broker, before any consumer de-duplicates them.
    /// </summary>
    private sealed class BrokerSpy : IAsyncDisposable
    {
        private readonly IConnection _connection;
        private readonly IChannel _channel;
        private readonly string _queue;

        private BrokerSpy(IConnection connection, IChannel channel, string queue) => (_connection, _channel, _queue) = (connection, channel, queue);

        public static async Task<BrokerSpy> BindAsync(RabbitVhost vhost, string exchange, string queue)
        {
            var factory = new ConnectionFactory { HostName = vhost.Host, Port = vhost.Port, VirtualHost = vhost.Name, UserName = vhost.Username, Password = vhost.Password };
            var connection = await factory.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, routingKey: "");
            return new BrokerSpy(connection, channel, queue);
        }

        public async Task<int> CountAsync() => (int)await _channel.MessageCountAsync(_queue);

        /// <summary>
        /// Takes every copy off the spy queue and counts them by MassTransit message id, and which bus sent them (each
        /// instance's bus has an address of its own).
        /// </summary>
        public async Task<(Dictionary<Guid, int> Counts, HashSet<string> Senders)> DrainAsync()
        {
            var counts = new Dictionary<Guid, int>();
            var senders = new HashSet<string>(StringComparer.Ordinal);
            while (await _channel.BasicGetAsync(_queue, autoAck: true) is { } message)
            {
                var envelope = JsonDocument.Parse(message.Body).RootElement;
                var id = envelope.GetProperty("messageId").GetGuid();
                counts[id] = counts.GetValueOrDefault(id) + 1;
                senders.Add(envelope.GetProperty("sourceAddress").GetString()!);
            }
            return (counts, senders);
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
