using System.Collections.Frozen;
using System.Globalization;

namespace IntelExchange.Api.Features.Callbacks;

/// <summary>
/// <c>Callbacks:AllowedHosts</c> (comma-separated, empty by default: the only hosts exempt from the SSRF address checks),
/// <c>Callbacks:AllowInsecureHttp</c> (default false; http only to an allowed host), <c>Callbacks:RetrySchedule</c>
/// (delays after each failed attempt, then dead-letter) and <c>Callbacks:SecretRotationGraceHours</c> (default 24).
/// </summary>
internal sealed record CallbackOptions
{
    public const string DefaultRetrySchedule = "00:00:05,00:05:00,00:30:00,02:00:00,05:00:00,10:00:00,10:00:00";

    public required FrozenSet<string> AllowedHosts { get; init; }
    public required bool AllowInsecureHttp { get; init; }
    public required IReadOnlyList<TimeSpan> RetrySchedule { get; init; }
    public required TimeSpan SecretRotationGrace { get; init; }

    public static CallbackOptions From(IConfiguration configuration)
    {
        var hosts = (configuration["Callbacks:AllowedHosts"] ?? "")
            .Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(NormalizeHost);
        var schedule = (configuration["Callbacks:RetrySchedule"] ?? DefaultRetrySchedule)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(delay => TimeSpan.Parse(delay, CultureInfo.InvariantCulture))
            .ToArray();
        if (schedule.Any(delay => delay <= TimeSpan.Zero))
        {
            throw new InvalidOperationException("Every delay in Callbacks:RetrySchedule must be positive.");
        }
        var graceHours = configuration.GetValue("Callbacks:SecretRotationGraceHours", 24.0);
        if (graceHours < 0)
        {
            throw new InvalidOperationException("Callbacks:SecretRotationGraceHours must not be negative.");
        }
        return new CallbackOptions
        {
            AllowedHosts = hosts.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
            AllowInsecureHttp = configuration.GetValue("Callbacks:AllowInsecureHttp", false),
            RetrySchedule = schedule,
            SecretRotationGrace = TimeSpan.FromHours(graceHours),
        };
    }

    public bool IsAllowedHost(string host) => AllowedHosts.Contains(NormalizeHost(host));

    /// <summary>Lower case, without IPv6 brackets or a trailing dot, so that one host has one spelling.</summary>
    public static string NormalizeHost(string host) => host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    /// <summary>The delay before the next attempt after <paramref name="failedAttempts"/> failures, ±10 % jitter; null: dead-letter.</summary>
    public TimeSpan? RetryDelay(int failedAttempts)
    {
        if (failedAttempts < 1 || failedAttempts > RetrySchedule.Count)
        {
            return null;
        }
        var jitter = 0.9 + (Random.Shared.NextDouble() * 0.2);
        return TimeSpan.FromTicks((long)(RetrySchedule[failedAttempts - 1].Ticks * jitter));
    }
}
