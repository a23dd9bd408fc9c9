using System.CommandLine;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Contracts;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx feed</c>: an agency's intel feed, one page or followed.</summary>
internal static class FeedCommand
{
    public static Command Create()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep polling for new items until interrupted." };
        var after = new Option<string>("--after") { Description = "Start after this cursor (a page's 'next', or a followed item's 'resumeAfter')." };
        var limit = new Option<int?>("--limit") { Description = "Page size, 1 to 500 (default 50)." };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls when following.", DefaultValueFactory = _ => 5 };
        var command = new Command("feed", "Read the cases shared with your agency, in delivery order.") { follow, after, limit, interval };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var client = context.Client();
            if (!context.Parse.GetValue(follow))
            {
                var page = await client.GetIntelFeedAsync(context.Parse.GetValue(after), context.Parse.GetValue(limit), cancellationToken);
                if (context.Out.Json)
                {
                    context.Out.Document(page);
                    return ExitCodes.Ok;
                }
                foreach (var item in page.Items)
                {
                    context.Out.Line(Describe(item));
                }
                context.Out.Line(page.Next is null ? "(no new items)" : $"({page.Items.Count} items) next: intelx feed --after {page.Next}");
                return ExitCodes.Ok;
            }

            var pollInterval = TimeSpan.FromSeconds(Math.Max(0.1, context.Parse.GetValue(interval)));
            try
            {
                await foreach (var entry in client.FollowIntelFeedAsync(context.Parse.GetValue(after), pollInterval, context.Parse.GetValue(limit), cancellationToken))
                {
                    if (context.Out.Json)
                    {
                        context.Out.JsonLine(entry);
                    }
                    else
                    {
                        context.Out.Line(Describe(entry.Item) + (entry.ResumeAfter is null ? "" : $"  resume: {entry.ResumeAfter}"));
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Following ends when the user stops it; that is success.
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(IntelItem item) =>
        $"{item.SharedAt:u}  case {item.CaseId}  report {item.ReportId}  from {item.Submitter}  {Wire.Name(item.Status)}  " +
        $"{Wire.Name(item.Report.Category)}  {item.Report.ExternalId}  {item.Report.Targets.Count} target(s)";
}
