using System.CommandLine;
using System.Net.Http;
using System.Security.Cryptography;
using IntelExchange.Client.Http;
using Polly.Timeout;

namespace IntelExchange.Cli.Infrastructure;

/// <summary>What a command's action gets: the parse result, the output, and the client, created on first use.</summary>
internal sealed class CliContext(ParseResult parse) : IDisposable
{
    private IntelExchangeClient? _client;

    public ParseResult Parse { get; } = parse;
    public Output Out { get; } = new(parse.GetValue(GlobalOptions.Json));

    /// <summary>The SDK client for the tenant; <paramref name="signing"/> also loads the signing key.</summary>
    public IntelExchangeClient Client(bool signing = false)
    {
        if (_client is not null)
        {
            return _client;
        }
        var options = GlobalOptions.ClientOptions(Parse, signing);
        try
        {
            return _client = new IntelExchangeClient(options);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or ArgumentException)
        {
            throw new UsageException($"cannot load the client certificate or keys: {exception.Message}");
        }
    }

    public void Dispose() => _client?.Dispose();
}

internal static class CliCommand
{
    /// <summary>Runs <paramref name="action"/> and turns what can go wrong into the documented exit codes.</summary>
    public static void SetCliAction(this Command command, Func<CliContext, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CliContext(parse);
            try
            {
                return await action(context, cancellationToken);
            }
            catch (UsageException exception)
            {
                context.Out.Error("error: " + exception.Message);
                return ExitCodes.Usage;
            }
            catch (IntelExchangeProblemException problem)
            {
                context.Out.Problem(problem);
                return ExitCodes.Failed;
            }
            catch (Exception exception) when (IsUnreachable(exception))
            {
                context.Out.Error($"error: cannot reach the exchange at {parse.GetValue(GlobalOptions.Server)}: {Describe(exception)}");
                return ExitCodes.Unreachable;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Out.Error("interrupted");
                return ExitCodes.Interrupted;
            }
        });

    public static bool IsUnreachable(Exception exception) => exception is HttpRequestException or TimeoutRejectedException;

    /// <summary>The message and its innermost cause, which is usually the one that says what happened (TLS, refused, DNS).</summary>
    public static string Describe(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }
        return inner == exception ? exception.Message : $"{exception.Message} ({inner.Message})";
    }

    /// <summary>Parses, reports usage errors with exit code 2, and runs the chosen command.</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine("error: " + error.Message);
            }
            Console.Error.WriteLine("Run 'intelx --help' for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync();
    }
}
