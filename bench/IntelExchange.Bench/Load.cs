using System.Collections.Concurrent;
using System.Diagnostics;

namespace IntelExchange.Bench;

internal sealed record PhaseResult(double Throughput, double P50, double P95, double P99);

internal static class Latency
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    public static PhaseResult Print(string name, IReadOnlyList<double> latencies, int failures, TimeSpan? elapsed = null)
    {
        var throughput = elapsed is { } e ? latencies.Count / e.TotalSeconds : double.NaN;
        var result = new PhaseResult(throughput, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99));
        Console.WriteLine($"{name}: n={latencies.Count} failed={failures}" + (elapsed is null ? "" : $" throughput={throughput:F0}/s")
            + $" p50={result.P50:F2} ms p95={result.P95:F2} ms p99={result.P99:F2} ms");
        return result;
    }
}

/// <summary>As fast as the server answers: a fixed number of workers, each sending its next request on the last answer.</summary>
internal static class ClosedLoop
{
    public static async Task<PhaseResult> RunAsync(string name, int workers, TimeSpan duration, Func<int, Task<bool>> call)
    {
        var latencies = new ConcurrentBag<double>();
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await call(worker);
                if (ok)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        return Latency.Print(name, latencies.ToList(), failures, clock.Elapsed);
    }
}

/// <summary>At a fixed arrival rate, whatever the answers: latency as a steady stream of partners would see it.</summary>
internal static class OpenLoop
{
    public static async Task<PhaseResult> RunAsync<T>(string name, double perSecond, IReadOnlyList<T> items, Func<T, Task<bool>> call)
    {
        var latencies = new ConcurrentBag<double>();
        var failures = 0;
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var item = items[i];
            inFlight.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                if (await call(item))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }));
        }
        await Task.WhenAll(inFlight);
        return Latency.Print(name, latencies.ToList(), failures, clock.Elapsed);
    }
}
