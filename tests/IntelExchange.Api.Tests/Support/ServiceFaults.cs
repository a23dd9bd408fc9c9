using System.Diagnostics;

namespace IntelExchange.Api.Tests.Support;

/// <summary>Stops and starts the real services through deploy/services.sh, for fault-injection tests.</summary>
public static class ServiceFaults
{
    public static Task StopBrokerAsync() => RunAsync("rabbit-stop");

    public static Task StartBrokerAsync() => RunAsync("rabbit-start");

    public static Task StopPostgresAsync() => RunAsync("pg-stop");

    public static Task StartPostgresAsync() => RunAsync("pg-start");

    private static async Task RunAsync(string command)
    {
        var script = Environment.GetEnvironmentVariable("INTELX_SERVICES_SCRIPT")
            ?? throw new InvalidOperationException("Fault tests need deploy/test.sh (INTELX_SERVICES_SCRIPT is not set).");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"services.sh {command} failed: {await output} {await errors}");
        }
    }
}

/// <summary>Tests that stop shared services run alone, after every other test class.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServiceFaultsCollection
{
    public const string Name = "service faults";
}
