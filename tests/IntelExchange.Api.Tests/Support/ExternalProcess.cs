using System.ComponentModel;
using System.Diagnostics;

namespace IntelExchange.Api.Tests.Support;

/// <summary>What a finished process printed (stdout then stderr) and how it exited.</summary>
public sealed record ProcessResult(int ExitCode, string Output);

/// <summary>Runs a program as a partner would, bounded by a timeout so a hung script fails the test instead of the run.</summary>
public static class ExternalProcess
{
    public static async Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment.Remove("INTELX_DATA");
        startInfo.Environment["npm_config_update_notifier"] = "false";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException($"Could not start '{program}': {exception.Message}", exception);
        }

        using var deadline = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return new ProcessResult(process.ExitCode, await stdout + await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{program} {string.Join(' ', startInfo.ArgumentList)}' did not finish within {timeout}.");
        }
    }

    /// <summary>Whether <paramref name="program"/> is an executable file on the PATH.</summary>
    public static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));

    /// <summary>The repository root: the folder above the test binaries that holds the solution.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "IntelExchange.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"No IntelExchange.sln above {AppContext.BaseDirectory}.");
    }
}
