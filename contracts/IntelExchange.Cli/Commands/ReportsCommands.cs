using System.CommandLine;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Contracts;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx reports get|list|evidence</c>. (<c>intelx submit</c> is in <see cref="SubmitCommand"/>.)</summary>
internal static class ReportsCommands
{
    public static Command Create()
    {
        var reports = new Command("reports", "Read reports: your own, or those shared with you as an agency.");
        reports.Subcommands.Add(Get());
        reports.Subcommands.Add(List());
        reports.Subcommands.Add(Evidence());
        return reports;
    }

    private static Command Get()
    {
        var id = new Argument<Guid>("REPORT_ID") { Description = "The report id." };
        var command = new Command("get", "Show one report with its cases.") { id };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var report = await context.Client().GetReportAsync(context.Parse.GetValue(id), cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(report);
                return ExitCodes.Ok;
            }
            var body = report.Report;
            context.Out.Line($"Report {report.ReportId}");
            context.Out.Line($"  external id   {report.ExternalId}");
            context.Out.Line($"  submitter     {report.Submitter}");
            context.Out.Line($"  status        {Wire.Name(report.Status)}");
            context.Out.Line($"  received at   {report.ReceivedAt:u}");
            context.Out.Line($"  body sha256   {report.BodySha256}");
            context.Out.Line($"  signed by     {report.SigningKeyId}");
            context.Out.Line($"  category      {Wire.Name(body.Category)}, {Wire.Name(body.RequestedAction)}, TLP:{Wire.Name(body.Tlp).ToUpperInvariant()}");
            context.Out.Line($"  targets       {body.Targets.Count}");
            foreach (var target in body.Targets)
            {
                context.Out.Line($"    {Wire.Name(target.Type),-12} {target.Value ?? target.AppId ?? target.Name}");
            }
            foreach (var caseSummary in report.Cases)
            {
                context.Out.Line($"  case          {caseSummary.CaseId}  {caseSummary.Agency}  {Wire.Name(caseSummary.Status)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var status = new Option<string>("--status") { Description = "Only reports in this status." };
        status.AcceptOnlyFromAmong("received", "in_progress", "closed");
        var limit = new Option<int?>("--limit") { Description = "Page size, 1 to 500 (default 50)." };
        var after = new Option<string>("--after") { Description = "Cursor from a previous page's 'next'." };
        var command = new Command("list", "List your own reports, one page at a time.") { status, limit, after };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var wanted = context.Parse.GetValue(status) is { } text ? Wire.Parse<ReportStatus>(text) : (ReportStatus?)null;
            var page = await context.Client().ListReportsAsync(wanted, context.Parse.GetValue(after), context.Parse.GetValue(limit), cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(page);
                return ExitCodes.Ok;
            }
            foreach (var report in page.Items)
            {
                var cases = string.Join(", ", report.Cases.Select(c => $"{c.Agency}:{Wire.Name(c.Status)}"));
                context.Out.Line($"{report.ReportId}  {report.ReceivedAt:u}  {Wire.Name(report.Status),-11}  {Wire.Name(report.Category),-21}  {report.ExternalId}  {cases}");
            }
            context.Out.Line(page.Next is null ? $"({page.Items.Count} reports, last page)" : $"({page.Items.Count} reports) next: intelx reports list --after {page.Next}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Evidence()
    {
        var id = new Argument<Guid>("REPORT_ID") { Description = "The report id." };
        var output = new Option<string>("--out") { Description = "Where to save the zip (default evidence-REPORT_ID.zip)." };
        var command = new Command("evidence", "Download a report's evidence bundle, to verify offline with intelx verify bundle.") { id, output };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var reportId = context.Parse.GetValue(id);
            var path = context.Parse.GetValue(output) ?? $"evidence-{reportId}.zip";
            var bundle = await context.Client().GetEvidenceBundleAsync(reportId, cancellationToken);
            await File.WriteAllBytesAsync(path, bundle, cancellationToken);
            if (context.Out.Json)
            {
                context.Out.Document(new { ReportId = reportId, File = path, Bytes = bundle.Length });
            }
            else
            {
                context.Out.Line($"Saved the evidence bundle of report {reportId} to {path} ({bundle.Length} bytes)");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
