using System.Collections.Concurrent;
using System.CommandLine;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Cli.Submission;
using Spectre.Console;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx submit FILE|DIR</c>: signed, concurrent, resumable submission of report files.</summary>
internal static class SubmitCommand
{
    public const string StateSuffix = ".intelx-state.jsonl";
    private const int MaxConcurrency = 64;

    public static Command Create()
    {
        var path = new Argument<string>("FILE_OR_DIR") { Description = "A report JSON file, or a folder of them (*.json, not recursive)." };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Reports in flight at once.", DefaultValueFactory = _ => 4 };
        var shareWith = new Option<string>("--share-with") { Description = "Comma-separated agencies; replaces each report's shareWith." };
        var statePath = new Option<string>("--state") { Description = $"State file of accepted files (default for a folder: the folder's path + {StateSuffix})." };
        var command = new Command("submit", "Sign and submit reports. Re-running skips files already accepted; a file sent but not recorded gets the original answer, never a duplicate.")
        {
            path, concurrency, shareWith, statePath,
        };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var input = context.Parse.GetValue(path)!;
            var files = ResolveFiles(input);
            var parallelism = context.Parse.GetValue(concurrency);
            if (parallelism is < 1 or > MaxConcurrency)
            {
                throw new UsageException($"--concurrency must be between 1 and {MaxConcurrency}.");
            }
            var recipients = context.Parse.GetValue(shareWith)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (recipients is { Length: 0 })
            {
                throw new UsageException("--share-with names no agency.");
            }
            var stateFile = context.Parse.GetValue(statePath) ?? (Directory.Exists(input) ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(input)) + StateSuffix : null);

            var client = context.Client(signing: true);
            var jwks = await client.GetJwksAsync(cancellationToken);
            using var state = SubmissionState.Open(stateFile);
            var submitter = new ReportFileSubmitter(client, jwks, state, recipients);
            var run = new BulkRun(submitter, parallelism);

            var progressBar = !context.Out.Json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            if (!progressBar)
            {
                await run.ExecuteAsync(files, result => PrintLine(context.Out, result, files.Count), cancellationToken);
            }
            else
            {
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask($"Submitting {files.Count} report(s)", maxValue: files.Count);
                        await run.ExecuteAsync(files, _ => task.Increment(1), cancellationToken);
                    });
            }

            return Report(context, run, files, state.Path, failuresAfterProgress: progressBar, cancellationToken.IsCancellationRequested);
        });
        return command;
    }

    private static List<ReportFile> ResolveFiles(string input)
    {
        if (File.Exists(input))
        {
            return [new ReportFile(Path.GetFileName(input), input)];
        }
        if (!Directory.Exists(input))
        {
            throw new UsageException($"{input} is neither a file nor a folder.");
        }
        var files = Directory.EnumerateFiles(input)
            .Where(file => Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase))
            .Select(file => new ReportFile(Path.GetFileName(file), file))
            .OrderBy(file => file.Name, StringComparer.Ordinal)
            .ToList();
        return files.Count > 0 ? files : throw new UsageException($"{input} holds no .json files.");
    }

    private static void PrintLine(Output output, FileResult result, int total)
    {
        if (output.Json || total == 1 || result.Outcome == FileOutcome.Skipped)
        {
            return;
        }
        output.Line(result.Outcome switch
        {
            FileOutcome.Accepted => $"accepted  {result.File}  {result.ReportId}",
            FileOutcome.Replayed => $"replayed  {result.File}  {result.ReportId}  (accepted by an earlier run)",
            _ => $"failed    {result.File}  {result.Problem?.OneLine() ?? result.Error}",
        });
    }

    private static int Report(CliContext context, BulkRun run, List<ReportFile> files, string? statePath, bool failuresAfterProgress, bool interrupted)
    {
        var results = run.Results.OrderBy(r => r.File, StringComparer.Ordinal).ToList();
        int Count(FileOutcome outcome) => results.Count(r => r.Outcome == outcome);
        var notAttempted = files.Count - results.Count;

        if (context.Out.Json)
        {
            context.Out.Document(new
            {
                Total = files.Count,
                Accepted = Count(FileOutcome.Accepted),
                Replayed = Count(FileOutcome.Replayed),
                Skipped = Count(FileOutcome.Skipped),
                Failed = Count(FileOutcome.Failed),
                NotAttempted = notAttempted,
                State = statePath,
                Results = results,
            });
        }
        else if (files.Count == 1 && results.Count == 1)
        {
            PrintSingle(context.Out, results[0]);
        }
        else
        {
            foreach (var failure in results.Where(r => r.Outcome == FileOutcome.Failed && failuresAfterProgress))
            {
                context.Out.Error($"failed    {failure.File}  {failure.Problem?.OneLine() ?? failure.Error}");
            }
            context.Out.Line($"{files.Count} file(s): {Count(FileOutcome.Accepted)} accepted, {Count(FileOutcome.Replayed)} replayed, " +
                             $"{Count(FileOutcome.Skipped)} skipped, {Count(FileOutcome.Failed)} failed, {notAttempted} not attempted.");
            if (statePath is not null)
            {
                context.Out.Line($"State: {statePath}");
            }
        }

        if (run.Unreachable is { } unreachable)
        {
            context.Out.Error($"error: stopped, the exchange could not be reached: {CliCommand.Describe(unreachable)}. Run the same command again to resume.");
            return ExitCodes.Unreachable;
        }
        if (interrupted)
        {
            context.Out.Error("interrupted: run the same command again to resume.");
            return ExitCodes.Interrupted;
        }
        return results.Any(r => r.Outcome == FileOutcome.Failed) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static void PrintSingle(Output output, FileResult result)
    {
        if (result.Outcome == FileOutcome.Failed)
        {
            if (result.Problem is not null)
            {
                foreach (var line in result.Problem.Describe())
                {
                    output.Error(line);
                }
            }
            else
            {
                output.Error($"error: {result.File}: {result.Error}");
            }
            return;
        }
        var how = result.Outcome switch
        {
            FileOutcome.Replayed => " (the exchange had accepted these exact bytes before: same report)",
            FileOutcome.Skipped => " (recorded in the state file: not sent again)",
            _ => "",
        };
        output.Line($"Accepted report {result.ReportId}{how}");
        output.Line($"  file         {result.File}");
        output.Line($"  received at  {result.ReceivedAt:u}");
        output.Line($"  body sha256  {result.BodySha256}");
        foreach (var caseSummary in result.Cases ?? [])
        {
            output.Line($"  case         {caseSummary.CaseId}  {caseSummary.Agency}  {Wire.Name(caseSummary.Status)}");
        }
        if (result.Receipt is not null)
        {
            output.Line("  receipt      verified against the exchange's JWKS");
        }
    }

    /// <summary>Runs the files through the submitter, N at a time, and stops everything when the exchange cannot be reached.</summary>
    private sealed class BulkRun(ReportFileSubmitter submitter, int parallelism)
    {
        private readonly ConcurrentQueue<FileResult> _results = new();

        public IReadOnlyCollection<FileResult> Results => _results;
        public Exception? Unreachable { get; private set; }

        public async Task ExecuteAsync(IReadOnlyList<ReportFile> files, Action<FileResult> onResult, CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = stop.Token }, async (file, token) =>
                {
                    try
                    {
                        var result = await submitter.SubmitAsync(file, token);
                        _results.Enqueue(result);
                        onResult(result);
                    }
                    catch (Exception exception) when (CliCommand.IsUnreachable(exception))
                    {
                        Unreachable ??= exception;
                        await stop.CancelAsync();
                    }
                });
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Interrupted or stopped: what was accepted is in the state file, and a re-run resumes.
            }
        }
    }
}
