using System.Globalization;

namespace IntelExchange.Bench;

/// <summary>
/// Where a phase's CPU went, machine-wide: the exchange, PostgreSQL (every postgres process), the broker (beam.smp),
/// this client, and the rest, read from /proc around the phase. Divided by the requests served, it says what one
/// request costs the whole machine, which is what bounds throughput when every process shares the same cores.
/// </summary>
internal sealed class CpuMeter
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    private readonly int _exchangePid;
    private readonly Snapshot _start;

    private CpuMeter(int exchangePid)
    {
        _exchangePid = exchangePid;
        _start = Take(exchangePid);
    }

    public static CpuMeter Start(int exchangePid) => new(exchangePid);

    /// <summary>Prints the CPU per request of each part, in milliseconds, and the share of the machine the phase used.</summary>
    public void Print(string label, double requests, TimeSpan elapsed)
    {
        var end = Take(_exchangePid);
        double PerRequest(long ticks) => ticks / TicksPerSecond * 1000 / Math.Max(1, requests);
        var busy = end.MachineBusy - _start.MachineBusy;
        var exchange = end.Exchange - _start.Exchange;
        var postgres = end.Postgres - _start.Postgres;
        var broker = end.Broker - _start.Broker;
        var client = end.Client - _start.Client;
        var other = Math.Max(0, busy - exchange - postgres - broker - client);
        var machine = busy / TicksPerSecond / (elapsed.TotalSeconds * Environment.ProcessorCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {label}: exchange {PerRequest(exchange):F2} ms, postgres {PerRequest(postgres):F2} ms, broker {PerRequest(broker):F2} ms, " +
            $"client {PerRequest(client):F2} ms, other {PerRequest(other):F2} ms; total {PerRequest(busy):F2} ms; machine {machine:P0} busy"));
    }

    private static Snapshot Take(int exchangePid)
    {
        long exchange = 0, postgres = 0, broker = 0, client = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var name = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (pid == exchangePid)
            {
                exchange += ticks;
            }
            else if (pid == Environment.ProcessId)
            {
                client += ticks;
            }
            else if (name.StartsWith("postgres", StringComparison.Ordinal))
            {
                postgres += ticks;
            }
            else if (name.StartsWith("beam", StringComparison.Ordinal) || name is "erl_child_setup" or "epmd")
            {
                broker += ticks;
            }
        }

        // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...; busy is all but idle and iowait.
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7];
        return new Snapshot(busy, exchange, postgres, broker, client);
    }

    private sealed record Snapshot(long MachineBusy, long Exchange, long Postgres, long Broker, long Client);
}
