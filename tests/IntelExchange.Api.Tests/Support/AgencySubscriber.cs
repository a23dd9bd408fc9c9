using System.Collections.Concurrent;
using IntelExchange.Client.Agency;
using IntelExchange.Contracts.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IntelExchange.Api.Tests.Support;

/// <summary>An agency's reference subscriber (the SDK's), running in its own host against the real broker.</summary>
public sealed class AgencySubscriber : IAsyncDisposable
{
    private readonly IHost _host;

    private AgencySubscriber(IHost host, Recorder recorder)
    {
        _host = host;
        Received = recorder;
    }

    public Recorder Received { get; }

    public static async Task<AgencySubscriber> StartAsync(RabbitVhost vhost, string agency, string? inboxPath = null)
    {
        var recorder = new Recorder();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(recorder);
        builder.Services.AddIntelExchangeAgencySubscriber<RecordingHandler>(new AgencySubscriberOptions
        {
            AgencyId = agency,
            BrokerUri = vhost.BusUri,
            Username = vhost.Username,
            Password = vhost.Password,
            InboxPath = inboxPath ?? Path.Combine(Path.GetTempPath(), $"intelx-inbox-{Guid.NewGuid():N}.db"),
            RetryIntervals = [TimeSpan.FromMilliseconds(50)],
        });
        var host = builder.Build();
        await host.StartAsync();
        return new AgencySubscriber(host, recorder);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    /// <summary>Every message the handler saw, in arrival order, with a way to wait for a count.</summary>
    public sealed class Recorder
    {
        private readonly ConcurrentQueue<object> _messages = new();

        public IReadOnlyList<ReportShared> Reports => _messages.OfType<ReportShared>().ToList();
        public IReadOnlyList<CaseStatusChanged> StatusChanges => _messages.OfType<CaseStatusChanged>().ToList();
        public IReadOnlyList<CaseLifted> Lifts => _messages.OfType<CaseLifted>().ToList();
        public IReadOnlyList<AuditCheckpointIssued> Checkpoints => _messages.OfType<AuditCheckpointIssued>().ToList();

        /// <summary>While true, the handler throws for every report, as a broken agency system would.</summary>
        public bool FailReports { get; set; }

        public int FailedAttempts => _failedAttempts;

        private int _failedAttempts;

        public void Add(object message) => _messages.Enqueue(message);

        public void CountFailure() => Interlocked.Increment(ref _failedAttempts);

        public async Task<bool> WaitForReportsAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Reports.Count < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            return Reports.Count >= count;
        }
    }

    private sealed class RecordingHandler(Recorder recorder) : IIntelHandler
    {
        public Task OnReportShared(ReportShared message, CancellationToken cancellationToken)
        {
            if (recorder.FailReports)
            {
                recorder.CountFailure();
                throw new InvalidOperationException("The agency's case system is down.");
            }
            recorder.Add(message);
            return Task.CompletedTask;
        }

        public Task OnCaseStatusChanged(CaseStatusChanged message, CancellationToken cancellationToken)
        {
            recorder.Add(message);
            return Task.CompletedTask;
        }

        public Task OnCaseLifted(CaseLifted message, CancellationToken cancellationToken)
        {
            recorder.Add(message);
            return Task.CompletedTask;
        }

        public Task OnAuditCheckpointIssued(AuditCheckpointIssued message, CancellationToken cancellationToken)
        {
            recorder.Add(message);
            return Task.CompletedTask;
        }
    }
}
