using System.CommandLine;
using System.Globalization;
using IntelExchange.Cli.Infrastructure;
using IntelExchange.Contracts;

namespace IntelExchange.Cli.Commands;

/// <summary><c>intelx cases get|move</c>: read a case with its history; move it (agency) or withdraw it (submitter).</summary>
internal static class CasesCommands
{
    public static Command Create()
    {
        var cases = new Command("cases", "Read and decide cases (one per report and recipient agency).");
        cases.Subcommands.Add(Get());
        cases.Subcommands.Add(Move());
        return cases;
    }

    private static Command Get()
    {
        var id = new Argument<Guid>("CASE_ID") { Description = "The case id." };
        var command = new Command("get", "Show a case and its full history.") { id };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            Show(context.Out, await context.Client().GetCaseAsync(context.Parse.GetValue(id), cancellationToken));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Move()
    {
        var id = new Argument<Guid>("CASE_ID") { Description = "The case id." };
        var status = new Argument<string>("STATUS") { Description = "The status to move to." };
        status.AcceptOnlyFromAmong("under_review", "more_info_requested", "order_issued", "enforced", "lifted", "rejected", "withdrawn");
        var reason = new Option<string>("--reason") { Description = "Why (kept in the history and sent to the submitter)." };
        var order = new Option<string>("--order-reference") { Description = "The order's reference; required for order_issued." };
        var until = new Option<DateTimeOffset?>("--effective-until")
        {
            Description = "When the order ends (RFC 3339, e.g. 2027-06-01T00:00:00Z); required for order_issued.",
            CustomParser = result =>
            {
                if (DateTimeOffset.TryParse(result.Tokens.Single().Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return at;
                }
                result.AddError("--effective-until must be an RFC 3339 date-time, e.g. 2027-06-01T00:00:00Z");
                return null;
            },
        };
        var note = new Option<string>("--note") { Description = "A free-text note for the history." };
        var key = new Option<string>("--idempotency-key")
        {
            Description = "Key for this move; reuse it to retry the same move safely (default: a new one).",
        };
        var command = new Command("move", "Move a case: its agency decides; the report's submitter may withdraw.")
        {
            id, status, reason, order, until, note, key,
        };
        command.SetCliAction(async (context, cancellationToken) =>
        {
            var move = new UpdateCaseStatusRequest
            {
                Status = Wire.Parse<CaseStatus>(context.Parse.GetValue(status)!),
                Reason = context.Parse.GetValue(reason),
                OrderReference = context.Parse.GetValue(order),
                EffectiveUntil = context.Parse.GetValue(until),
                Note = context.Parse.GetValue(note),
            };
            var moved = await context.Client().UpdateCaseStatusAsync(context.Parse.GetValue(id), move, context.Parse.GetValue(key), cancellationToken);
            Show(context.Out, moved);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Show(Output output, CaseDetails details)
    {
        if (output.Json)
        {
            output.Document(details);
            return;
        }
        output.Line($"Case {details.CaseId}  {Wire.Name(details.Status)}");
        output.Line($"  report        {details.ReportId} ({details.ExternalId})");
        output.Line($"  agency        {details.Agency}");
        output.Line($"  submitter     {details.Submitter}");
        if (details.OrderReference is not null)
        {
            output.Line($"  order         {details.OrderReference}, effective until {details.EffectiveUntil:u}");
        }
        foreach (var entry in details.History)
        {
            var reason = entry.Reason is null ? "" : $"  ({entry.Reason})";
            output.Line($"  {entry.Sequence,3}. {entry.OccurredAt:u}  {Wire.Name(entry.Status),-19} by {entry.Actor}{reason}");
        }
    }
}
