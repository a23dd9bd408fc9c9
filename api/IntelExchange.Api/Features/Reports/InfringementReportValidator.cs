using System.Text.RegularExpressions;
using FluentValidation;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Features.Reports;

/// <summary>Every field of a v1 report: presence, closed sets, formats, lengths, and coherence between fields.</summary>
internal sealed partial class InfringementReportValidator : AbstractValidator<InfringementReport>
{
    public const int MaxTargets = ReportLimits.MaxTargets;

    public InfringementReportValidator(TimeProvider clock, IConfiguration configuration)
    {
        var skew = TimeSpan.FromSeconds(configuration.GetValue("Signing:MaxClockSkewSeconds", 300));

        RuleFor(r => r.ExternalId).NotEmpty().MaximumLength(ReportLimits.ExternalId).Must(BePrintable).WithMessage("must be printable text");
        RuleFor(r => r.LegalBasis).NotNull().ChildRules(basis =>
        {
            basis.RuleFor(b => b.MouReference).NotEmpty().MaximumLength(ReportLimits.Reference).Must(BePrintable).WithMessage("must be printable text");
            basis.RuleFor(b => b.OrderReference).MaximumLength(ReportLimits.Reference).Must(BePrintableOrNull).WithMessage("must be printable text");
        });
        RuleFor(r => r.Category).IsInEnum();
        RuleFor(r => r.RequestedAction).IsInEnum();
        RuleFor(r => r.Tlp).IsInEnum();
        RuleFor(r => r.ObservedAt)
            .Must(at => at <= clock.GetUtcNow() + skew).WithMessage("must not be in the future")
            .Must(at => at.Year >= 2000).WithMessage("must be after 2000-01-01");

        RuleFor(r => r.Targets).NotNull().Must(t => t is { Count: >= 1 and <= MaxTargets })
            .WithMessage($"must hold 1 to {MaxTargets} targets");
        RuleForEach(r => r.Targets).NotNull().SetValidator(new TargetValidator()).When(r => r.Targets is { Count: <= MaxTargets });

        RuleFor(r => r.Works).Must(w => w is null || w.Count <= ReportLimits.MaxWorks).WithMessage($"must hold at most {ReportLimits.MaxWorks} works");
        RuleForEach(r => r.Works).NotNull().ChildRules(work =>
        {
            work.RuleFor(w => w.Isrc).NotEmpty().Matches(IsrcPattern()).WithMessage("must be a 12-character ISRC such as PEA012300001");
            work.RuleFor(w => w.Title).MaximumLength(ReportLimits.WorkText).Must(BePrintableOrNull).WithMessage("must be printable text");
            work.RuleFor(w => w.Artist).MaximumLength(ReportLimits.WorkText).Must(BePrintableOrNull).WithMessage("must be printable text");
            work.RuleFor(w => w.RightsHolder).MaximumLength(ReportLimits.WorkText).Must(BePrintableOrNull).WithMessage("must be printable text");
        }).When(r => r.Works is { Count: <= ReportLimits.MaxWorks });

        RuleFor(r => r.Evidence).Must(e => e is null || e.Count <= ReportLimits.MaxEvidence).WithMessage($"must hold at most {ReportLimits.MaxEvidence} evidence items");
        RuleForEach(r => r.Evidence).NotNull().ChildRules(evidence =>
        {
            evidence.RuleFor(e => e.Kind).IsInEnum();
            evidence.RuleFor(e => e.Sha256).NotEmpty().Matches(Sha256Pattern()).WithMessage("must be 64 hexadecimal characters");
            evidence.RuleFor(e => e.CapturedAt).Must(at => at <= clock.GetUtcNow() + skew).WithMessage("must not be in the future");
            evidence.RuleFor(e => e.Uri).Must(uri => uri is null || Targets.IsAcceptableUrl(uri))
                .WithMessage("must be an absolute http(s) URL without credentials");
            evidence.RuleFor(e => e.Description).MaximumLength(ReportLimits.Description).Must(BeTextOrNull).WithMessage("must be text");
        }).When(r => r.Evidence is { Count: <= ReportLimits.MaxEvidence });

        RuleFor(r => r.LiveEvent!).ChildRules(live =>
        {
            live.RuleFor(l => l.Name).NotEmpty().MaximumLength(ReportLimits.Name).Must(BePrintable).WithMessage("must be printable text");
            live.RuleFor(l => l.Competition).MaximumLength(ReportLimits.Name).Must(BePrintableOrNull).WithMessage("must be printable text");
            live.RuleFor(l => l.EndsAt).GreaterThan(l => l.StartsAt).WithMessage("must be after startsAt");
            live.RuleFor(l => l.EndsAt).Must((l, end) => end - l.StartsAt <= TimeSpan.FromDays(31))
                .WithMessage("a live event lasts at most 31 days");
        }).When(r => r.LiveEvent is not null);

        RuleFor(r => r.ShareWith).Must(s => s is null || (s.Count is >= 1 and <= ReportLimits.MaxRecipients && s.Distinct().Count() == s.Count))
            .WithMessage($"must list 1 to {ReportLimits.MaxRecipients} distinct agencies");
        RuleForEach(r => r.ShareWith).NotEmpty().Matches(TenantIdPattern()).WithMessage("must be a tenant id");
        RuleFor(r => r.Notes).MaximumLength(ReportLimits.Notes).Must(BeTextOrNull).WithMessage("must be text");
    }

    private static bool BePrintable(string? value) => value is not null && !value.Any(char.IsControl);

    private static bool BePrintableOrNull(string? value) => value is null || BePrintable(value);

    private static bool BeTextOrNull(string? value) => value is null || !value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));

    [GeneratedRegex("^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$", RegexOptions.CultureInvariant)]
    private static partial Regex IsrcPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    internal static partial Regex Sha256Pattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    internal static partial Regex TenantIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$", RegexOptions.CultureInvariant)]
    internal static partial Regex AppIdPattern();

    /// <summary>Which members a target may carry depends on its type; the others must be absent.</summary>
    private sealed class TargetValidator : AbstractValidator<ReportTarget>
    {
        public TargetValidator()
        {
            RuleFor(t => t.Type).IsInEnum();
            When(t => t.Type is TargetType.Domain, () =>
            {
                RuleFor(t => t.Value).Must(v => Targets.NormalizeDomain(v) is not null)
                    .WithMessage("must be a valid DNS name (IDN allowed) of at most 253 characters with at least two labels");
                AbsentApp();
            });
            When(t => t.Type is TargetType.Url, () =>
            {
                RuleFor(t => t.Value).Must(Targets.IsAcceptableUrl)
                    .WithMessage("must be an absolute http(s) URL without credentials whose host is a public name or address");
                AbsentApp();
            });
            When(t => t.Type is TargetType.Ipv4, () =>
            {
                RuleFor(t => t.Value).Must(Targets.IsPublicIPv4).WithMessage("must be a public unicast IPv4 address in dotted-quad form");
                AbsentApp();
            });
            When(t => t.Type is TargetType.Ipv6, () =>
            {
                RuleFor(t => t.Value).Must(Targets.IsPublicIPv6).WithMessage("must be a public unicast IPv6 address");
                AbsentApp();
            });
            When(t => t.Type is TargetType.MobileApp, () =>
            {
                RuleFor(t => t.Store).NotNull().IsInEnum();
                RuleFor(t => t.AppId).NotEmpty().Matches(AppIdPattern()).WithMessage("must be a store application id");
                RuleFor(t => t.Name).MaximumLength(ReportLimits.Name).Must(BePrintableOrNull).WithMessage("must be printable text");
                RuleFor(t => t.Value).Null().WithMessage("must be absent for a mobile_app target");
                RuleFor(t => t.DownloadUrl).Null().WithMessage("must be absent for a mobile_app target");
                RuleFor(t => t.Sha256).Null().WithMessage("must be absent for a mobile_app target");
            });
            When(t => t.Type is TargetType.DesktopApp, () =>
            {
                RuleFor(t => t.Name).NotEmpty().MaximumLength(ReportLimits.Name).Must(BePrintable).WithMessage("must be printable text");
                RuleFor(t => t.DownloadUrl).Must(u => u is null || Targets.IsAcceptableUrl(u))
                    .WithMessage("must be an absolute http(s) URL without credentials");
                RuleFor(t => t.Sha256).Matches(Sha256Pattern()).When(t => t.Sha256 is not null).WithMessage("must be 64 hexadecimal characters");
                RuleFor(t => t.Value).Null().WithMessage("must be absent for a desktop_app target");
                RuleFor(t => t.Store).Null().WithMessage("must be absent for a desktop_app target");
                RuleFor(t => t.AppId).Null().WithMessage("must be absent for a desktop_app target");
            });
        }

        private void AbsentApp()
        {
            RuleFor(t => t.Store).Null().WithMessage("applies only to app targets");
            RuleFor(t => t.AppId).Null().WithMessage("applies only to app targets");
            RuleFor(t => t.Name).Null().WithMessage("applies only to app targets");
            RuleFor(t => t.DownloadUrl).Null().WithMessage("applies only to app targets");
            RuleFor(t => t.Sha256).Null().WithMessage("applies only to app targets");
        }
    }
}
