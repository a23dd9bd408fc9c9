using System.Diagnostics;
using System.Reflection;

namespace IntelExchange.Api.Tests.Support;

/// <summary>What an intelx process did.</summary>
public sealed record IntelxRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs the intelx tool as a user does: a separate process, <c>dotnet intelx.dll …</c>, from the build output.</summary>
public static class Intelx
{
    public static string Dll { get; } = Path.GetFullPath(typeof(Intelx).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "IntelxDll").Value!);

    /// <summary>The arguments that point the tool at a test exchange and its dev PKI.</summary>
    public static string[] Against(ExchangeServer server, string tenant = "ifpi") =>
        ["--server", server.PartnerAddress.ToString(), "--pki", server.DevPki, "--tenant", tenant];

    public static Process Start(IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    public static async Task<IntelxRun> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"intelx {string.Join(' ', arguments)} did not finish within 60 s.");
        }
        return new IntelxRun(process.ExitCode, await output, await error);
    }
}
